"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { replaceDocument } from "@/hooks/documents/mutations";
import { toastError } from "@/stores/toast";
import { ingestionKeys } from "./keys";

/** Index a failed document again; the monitor's numbers and lists ask again. */
export function useRetryDocument() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (documentId: string) =>
      unwrap(
        api.POST("/api/documents/{document_id}/reindex", {
          params: { path: { document_id: documentId } },
        }),
      ),
    onSuccess: (document) => {
      replaceDocument(client, document);
      return client.invalidateQueries({ queryKey: ingestionKeys.all });
    },
    onError: toastError,
  });
}

/** Index every document of a collection again; its progress is the overview's. */
export function useReindexCollection() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (collectionId: string) =>
      unwrap(
        api.POST("/api/collections/{collection_id}/reindex", {
          params: { path: { collection_id: collectionId } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ingestionKeys.all }),
    onError: toastError,
  });
}
