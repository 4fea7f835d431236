"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api, unwrap } from "@/lib/api/client";
import { messageOf } from "@/lib/api/problem";
import type { components } from "@/lib/api/schema";

export type DocumentRead = components["schemas"]["DocumentRead"];
export const POLL_INTERVAL_MS = 2_000;

const settled = (document: DocumentRead) =>
  document.status === "indexed" || document.status === "failed";

/** A collection's documents; polls while any of them is still being processed. */
export function useDocuments(collectionId: string, pollMs = POLL_INTERVAL_MS) {
  const [documents, setDocuments] = useState<DocumentRead[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Uploads the list has not caught up with yet: a list request that started before an
  // upload finished must not make its document vanish.
  const added = useRef(new Map<string, DocumentRead>());

  const reload = useCallback(async () => {
    try {
      const page = await unwrap(
        api.GET("/api/documents", {
          params: { query: { collection_id: collectionId, limit: 100 } },
        }),
      );
      for (const item of page.items) added.current.delete(item.id);
      setDocuments([...added.current.values(), ...page.items]);
      setError(null);
    } catch (failure) {
      setError(messageOf(failure));
    }
  }, [collectionId]);

  useEffect(() => void reload(), [reload]);

  useEffect(() => {
    if (documents === null || documents.every(settled)) return;
    timer.current = setTimeout(() => void reload(), pollMs);
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [documents, reload, pollMs]);

  const add = useCallback((document: DocumentRead) => {
    added.current.set(document.id, document);
    setDocuments((current) => [
      document,
      ...(current ?? []).filter((item) => item.id !== document.id),
    ]);
  }, []);

  return { documents, error, reload, add };
}
