import { z } from "zod";

// The sample workspace (../samples in the repository): its manifest is the one list of the
// files, their collection and the suggested questions, for the web app and `sift demo`.
export const SAMPLES_PATH = "/samples";
export const MANIFEST_FILE = "manifest.json";

export const sampleManifestSchema = z.object({
  version: z.literal(1),
  collection: z.object({ name: z.string().min(1), description: z.string() }),
  documents: z
    .array(
      z.object({
        file: z.string().regex(/^[a-z0-9][a-z0-9.-]*\.(md|html|pdf|docx)$/),
        title: z.string().min(1),
        tags: z.array(z.string()).default([]),
      }),
    )
    .min(1),
  // Each with the file that holds its answer (the backend's tests check that it does).
  questions: z.array(z.object({ question: z.string().min(1), answer_in: z.string() })),
});

export type SampleManifest = z.infer<typeof sampleManifestSchema>;
export type SampleDocument = SampleManifest["documents"][number];

/** Where the web app serves a sample file (src/app/samples/[file]/route.ts). */
export const sampleUrl = (file: string) => `${SAMPLES_PATH}/${encodeURIComponent(file)}`;

export const SAMPLE_TYPES: Record<string, string> = {
  md: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  json: "application/json",
};
