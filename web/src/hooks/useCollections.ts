"use client";

import { useCallback, useEffect, useState } from "react";
import { api, unwrap } from "@/lib/api/client";
import { messageOf } from "@/lib/api/problem";
import type { components } from "@/lib/api/schema";

export type Collection = components["schemas"]["CollectionRead"];
export type CollectionCreate = components["schemas"]["CollectionCreate"];

export function useCollections() {
  const [collections, setCollections] = useState<Collection[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const page = await unwrap(api.GET("/api/collections", { params: { query: { limit: 100 } } }));
      setCollections(page.items);
      setError(null);
    } catch (failure) {
      setError(messageOf(failure));
    }
  }, []);

  useEffect(() => void reload(), [reload]);

  const create = useCallback(async (body: CollectionCreate) => {
    const created = await unwrap(api.POST("/api/collections", { body }));
    setCollections((current) => [created, ...(current ?? [])]);
    return created;
  }, []);

  return { collections, error, reload, create };
}

/** One collection; `null` waits (the id is not known yet). */
export function useCollection(collectionId: string | null) {
  const [collection, setCollection] = useState<Collection | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (collectionId === null) return;
    let live = true;
    unwrap(
      api.GET("/api/collections/{collection_id}", {
        params: { path: { collection_id: collectionId } },
      }),
    )
      .then((found) => live && setCollection(found))
      .catch((failure) => live && setError(messageOf(failure)));
    return () => {
      live = false;
    };
  }, [collectionId]);
  return { collection, error, setCollection };
}
