import { z } from "zod";

// Mirrors AskRequest.question: 1 to 2,000 characters, not blank.
export const MAX_QUESTION_CHARS = 2000;

export const askSchema = z.object({
  question: z
    .string()
    .trim()
    .min(1, "Type a question.")
    .max(MAX_QUESTION_CHARS, "Keep the question under 2,000 characters."),
});

export type AskValues = z.infer<typeof askSchema>;

export const EXAMPLE_QUESTIONS = [
  "What are the main points of my documents?",
  "Which deadlines or dates are mentioned?",
  "Summarize what the documents say about costs.",
];
