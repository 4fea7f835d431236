"use client";

import { useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { errorFromResponse } from "@/lib/api/problem";
import type { components } from "@/lib/api/schema";
import { uploadDocument, uploadVersion, type UploadOptions } from "@/lib/api/upload";
import { saveFile } from "@/lib/download";
import { toastError } from "@/stores/toast";
import { documentKeys, isFiltered, type DocumentFilters, type DocumentRead } from "./keys";

type DocumentUpdate = components["schemas"]["DocumentUpdate"];

/** A document the server changed: its page and every list showing it follow at once. */
export function replaceDocument(client: QueryClient, document: DocumentRead): void {
  client.setQueryData(documentKeys.detail(document.id), document);
  client.setQueriesData<DocumentRead[]>({ queryKey: documentKeys.lists() }, (list) =>
    list?.map((item) => (item.id === document.id ? document : item)),
  );
}

/** An uploaded document goes to the top of its collection's unfiltered list. */
function addDocument(client: QueryClient, document: DocumentRead): void {
  const key = documentKeys.collection(document.collection_id);
  client.setQueryData<DocumentRead[]>(documentKeys.uploads(document.collection_id), (uploads) => [
    document,
    ...(uploads ?? []).filter((item) => item.id !== document.id),
  ]);
  client.setQueriesData<DocumentRead[]>(
    { queryKey: key, predicate: (query) => !isFiltered(query.queryKey[3] as DocumentFilters) },
    (list) => (list ? [document, ...list.filter((item) => item.id !== document.id)] : list),
  );
  // The lists ask again (a request still in flight is cancelled); until one lists the
  // upload, it stays on top of them (see useDocuments).
  void client.invalidateQueries({ queryKey: key });
}

/** Index a failed document again (its Retry button, in the list and on its page). */
export function useReindexDocument() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (documentId: string) =>
      unwrap(
        api.POST("/api/documents/{document_id}/reindex", {
          params: { path: { document_id: documentId } },
        }),
      ),
    onSuccess: (document) => replaceDocument(client, document),
    onError: toastError,
  });
}

export function useUpdateDocument(documentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: DocumentUpdate) =>
      unwrap(
        api.PATCH("/api/documents/{document_id}", {
          params: { path: { document_id: documentId } },
          body,
        }),
      ),
    onSuccess: (document) => replaceDocument(client, document),
  });
}

export function useDeleteDocument() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (document: DocumentRead) =>
      unwrap(
        api.DELETE("/api/documents/{document_id}", {
          params: { path: { document_id: document.id } },
        }),
      ),
    onSuccess: (_, document) => {
      client.removeQueries({ queryKey: documentKeys.detail(document.id) });
      void client.invalidateQueries({ queryKey: documentKeys.collection(document.collection_id) });
    },
  });
}

interface UploadVariables {
  collection_id: string;
  file: File;
  onProgress?: UploadOptions["onProgress"];
}

/** Upload a file as a new document; each file is one call (they run side by side). */
export function useUploadDocument() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ onProgress, ...fields }: UploadVariables) =>
      uploadDocument(fields, { onProgress }),
    onSuccess: (document) => addDocument(client, document),
  });
}

export function useUploadVersion(documentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ file, onProgress }: Omit<UploadVariables, "collection_id">) =>
      uploadVersion(documentId, { file }, { onProgress }),
    onSuccess: (document) => {
      replaceDocument(client, document);
      void client.invalidateQueries({ queryKey: documentKeys.versions(documentId) });
    },
  });
}

/** Save a document's original file. */
export function useDownloadDocument() {
  return useMutation({
    mutationFn: async (document: Pick<DocumentRead, "id" | "filename">) => {
      const { data, response } = await api.GET("/api/documents/{document_id}/content", {
        params: { path: { document_id: document.id } },
        parseAs: "blob",
      });
      if (!response.ok || !(data instanceof Blob)) throw await errorFromResponse(response);
      saveFile(data, document.filename);
    },
    onError: toastError,
  });
}
