import type { components } from "@/lib/api/schema";

export type DocumentRead = components["schemas"]["DocumentRead"];
export type DocumentStatus = components["schemas"]["DocumentStatus"];
export type VersionRead = components["schemas"]["VersionRead"];

export interface DocumentFilters {
  status?: DocumentStatus | "";
  tag?: string;
  q?: string;
}

/** Empty filters are no filters: normalized so that a blank form is the unfiltered list. */
export function normalizeFilters({ status, tag, q }: DocumentFilters): {
  status?: DocumentStatus;
  tag?: string;
  q?: string;
} {
  return { status: status || undefined, tag: tag || undefined, q: q || undefined };
}

export const isFiltered = (filters: DocumentFilters) =>
  Boolean(filters.status || filters.tag || filters.q);

export const documentKeys = {
  all: ["documents"] as const,
  lists: () => [...documentKeys.all, "list"] as const,
  collection: (collectionId: string) => [...documentKeys.lists(), collectionId] as const,
  list: (collectionId: string, filters: DocumentFilters) =>
    [...documentKeys.collection(collectionId), normalizeFilters(filters)] as const,
  /** Uploads a collection's list has not shown yet (kept in the cache, never fetched). */
  uploads: (collectionId: string) => [...documentKeys.all, "uploads", collectionId] as const,
  detail: (documentId: string) => [...documentKeys.all, "detail", documentId] as const,
  versions: (documentId: string) => [...documentKeys.all, "versions", documentId] as const,
  /** Extracted text, page by page (the viewer's). */
  pages: (documentId: string) => [...documentKeys.all, "pages", documentId] as const,
};
