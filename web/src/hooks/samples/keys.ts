export type { SampleDocument, SampleManifest } from "@/lib/samples";

export const sampleKeys = {
  all: ["samples"] as const,
  manifest: () => [...sampleKeys.all, "manifest"] as const,
};
