"use client";

import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { collectionKeys } from "./keys";

export function useCollections() {
  return useQuery({
    queryKey: collectionKeys.list(),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/collections", { params: { query: { limit: 100 } }, signal })).then(
        (page) => page.items,
      ),
  });
}

/** One collection; `null` waits (the id is not known yet). */
export function useCollection(collectionId: string | null) {
  return useQuery({
    queryKey: collectionKeys.detail(collectionId ?? ""),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/collections/{collection_id}", {
          params: { path: { collection_id: collectionId! } },
          signal,
        }),
      ),
    enabled: collectionId !== null,
  });
}

/** Who may open a restricted collection; fetched only while `enabled` (its dialog is open). */
export function useCollectionMembers(collectionId: string, enabled: boolean) {
  return useQuery({
    queryKey: collectionKeys.members(collectionId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/collections/{collection_id}/members", {
          params: { path: { collection_id: collectionId } },
          signal,
        }),
      ).then((page) => page.items),
    enabled,
  });
}
