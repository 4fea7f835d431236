import { z } from "zod";

// Mirrors DocumentUpdate: a title of 1–300 characters; tags typed comma-separated.
export const metadataSchema = z.object({
  title: z
    .string()
    .trim()
    .min(1, "Give the document a title.")
    .max(300, "Use at most 300 characters."),
  tags: z.string().max(2000, "Use fewer tags."),
});

export type MetadataValues = z.infer<typeof metadataSchema>;

/** "a, b ,, a" → ["a", "b"]: trimmed, no empties, no repeats, order kept. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
}
