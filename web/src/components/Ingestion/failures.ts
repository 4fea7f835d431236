const LABELS: Record<string, string> = {
  encrypted_pdf: "Password-protected PDF",
  corrupt_file: "Damaged file",
  no_text: "No text found",
  timeout: "Took too long",
  unsupported_type: "Unsupported file type",
  extraction_failed: "Text could not be read",
  too_large: "Too large",
  embedding_failed: "Embedding failed",
  index_unavailable: "Search index unavailable",
  internal_error: "Internal error",
};

/** A failure code as people read it (unknown codes as they are). */
export const failureLabel = (code: string) => LABELS[code] ?? code.replaceAll("_", " ");
