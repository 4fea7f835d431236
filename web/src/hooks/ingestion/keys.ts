import type { components } from "@/lib/api/schema";

export type IngestionOverview = components["schemas"]["IngestionRead"];
export type IngestionDocument = components["schemas"]["IngestionDocumentRead"];
export type WatchedStatus = components["schemas"]["WatchedStatus"];

/** Work is still going on: documents wait or are being processed. */
export const isBusy = (overview: IngestionOverview | undefined) =>
  overview !== undefined && overview.counts.uploaded + overview.counts.processing > 0;

export const ingestionKeys = {
  all: ["ingestion"] as const,
  /** The organization's numbers (`null`), or one collection's. */
  overview: (collectionId: string | null) =>
    [...ingestionKeys.all, "overview", collectionId ?? "all"] as const,
  documents: (status: WatchedStatus) => [...ingestionKeys.all, "documents", status] as const,
};
