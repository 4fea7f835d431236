import { z } from "zod";

// Mirrors CollectionCreate in the documents service's OpenAPI spec.
export const collectionSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Give the collection a name.")
    .max(200, "Use at most 200 characters."),
  description: z.string().trim().max(2000, "Use at most 2,000 characters."),
  visibility: z.enum(["org", "restricted"]),
  redact_pii: z.boolean(),
  // Off only with redact_pii (the API answers 422 otherwise): the form turns it back on.
  keep_original_files: z.boolean(),
});

export type CollectionValues = z.infer<typeof collectionSchema>;
