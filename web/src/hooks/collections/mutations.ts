"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { toastError } from "@/stores/toast";
import {
  collectionKeys,
  type Collection,
  type CollectionCreate,
  type CollectionRole,
  type CollectionUpdate,
} from "./keys";

/** A new collection; PII redaction stays off, and original files kept, unless asked for. */
type NewCollection = Omit<CollectionCreate, "redact_pii" | "keep_original_files"> & {
  redact_pii?: boolean;
  keep_original_files?: boolean;
};

export function useCreateCollection() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewCollection) =>
      unwrap(
        api.POST("/api/collections", {
          body: { redact_pii: false, keep_original_files: true, ...body },
        }),
      ),
    onSuccess: (created) => {
      client.setQueryData<Collection[]>(collectionKeys.list(), (list) => [
        created,
        ...(list ?? []),
      ]);
      client.setQueryData(collectionKeys.detail(created.id), created);
    },
  });
}

export function useUpdateCollection(collectionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CollectionUpdate) =>
      unwrap(
        api.PATCH("/api/collections/{collection_id}", {
          params: { path: { collection_id: collectionId } },
          body,
        }),
      ),
    onSuccess: (saved) => {
      client.setQueryData(collectionKeys.detail(saved.id), saved);
      void client.invalidateQueries({ queryKey: collectionKeys.list() });
    },
  });
}

export function useDeleteCollection(collectionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE("/api/collections/{collection_id}", {
          params: { path: { collection_id: collectionId } },
        }),
      ),
    onSuccess: () => {
      client.removeQueries({ queryKey: collectionKeys.detail(collectionId) });
      void client.invalidateQueries({ queryKey: collectionKeys.list() });
    },
  });
}

/** Give a person a role in a restricted collection (or change it). */
export function useGrantCollectionRole(collectionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: CollectionRole }) =>
      unwrap(
        api.PUT("/api/collections/{collection_id}/members/{user_id}", {
          params: { path: { collection_id: collectionId, user_id: userId } },
          body: { role },
        }),
      ),
    onSuccess: (saved) =>
      client.setQueryData<(typeof saved)[]>(collectionKeys.members(collectionId), (list) => [
        ...(list ?? []).filter((grant) => grant.user_id !== saved.user_id),
        saved,
      ]),
    onError: toastError,
  });
}

export function useRevokeCollectionRole(collectionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(
        api.DELETE("/api/collections/{collection_id}/members/{user_id}", {
          params: { path: { collection_id: collectionId, user_id: userId } },
        }),
      ),
    onSuccess: (_, userId) =>
      client.setQueryData<{ user_id: string }[]>(collectionKeys.members(collectionId), (list) =>
        list?.filter((grant) => grant.user_id !== userId),
      ),
    onError: toastError,
  });
}
