"use client";

import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import {
  documentKeys,
  isFiltered,
  normalizeFilters,
  type DocumentFilters,
  type DocumentRead,
} from "./keys";

export const POLL_INTERVAL_MS = 2_000;

export const isSettled = (document: DocumentRead) =>
  document.status === "indexed" || document.status === "failed";

/**
 * Uploads the list has not caught up with yet stay on top of it: a list answered just
 * before (or while) an upload is committed must not make its document vanish. A filtered
 * list shows what the server matched, nothing more.
 */
function withUploads(client: QueryClient, collectionId: string, items: DocumentRead[]) {
  const key = documentKeys.uploads(collectionId);
  const listed = new Set(items.map((item) => item.id));
  const pending = (client.getQueryData<DocumentRead[]>(key) ?? []).filter(
    (upload) => !listed.has(upload.id),
  );
  client.setQueryData(key, pending);
  return [...pending, ...items];
}

/** A collection's documents (filtered by the server); polls while any is being processed. */
export function useDocuments(
  collectionId: string,
  filters: DocumentFilters = {},
  pollMs = POLL_INTERVAL_MS,
) {
  const client = useQueryClient();
  const { status, tag, q } = normalizeFilters(filters);
  return useQuery({
    queryKey: documentKeys.list(collectionId, filters),
    queryFn: async ({ signal }) => {
      const page = await unwrap(
        api.GET("/api/documents", {
          params: { query: { collection_id: collectionId, limit: 100, status, tag, q } },
          signal,
        }),
      );
      return isFiltered(filters) ? page.items : withUploads(client, collectionId, page.items);
    },
    refetchInterval: (query) => (query.state.data?.every(isSettled) === false ? pollMs : false),
  });
}

/** One document; polls while it is being processed so its status and steps stay live. */
export function useDocument(documentId: string, pollMs = POLL_INTERVAL_MS) {
  return useQuery({
    queryKey: documentKeys.detail(documentId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/documents/{document_id}", {
          params: { path: { document_id: documentId } },
          signal,
        }),
      ),
    refetchInterval: (query) => {
      const document = query.state.data;
      return document && !isSettled(document) ? pollMs : false;
    },
  });
}

/** A document's versions; a new current version (uploaded here or elsewhere) refetches them. */
export function useDocumentVersions(document: DocumentRead) {
  return useQuery({
    queryKey: [...documentKeys.versions(document.id), document.version_id],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/documents/{document_id}/versions", {
          params: { path: { document_id: document.id } },
          signal,
        }),
      ).then((page) => page.items),
  });
}
