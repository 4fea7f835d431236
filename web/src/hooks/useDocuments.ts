"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api, unwrap } from "@/lib/api/client";
import { messageOf } from "@/lib/api/problem";
import type { components } from "@/lib/api/schema";

export type DocumentRead = components["schemas"]["DocumentRead"];
export type DocumentStatus = components["schemas"]["DocumentStatus"];
export const POLL_INTERVAL_MS = 2_000;

export interface DocumentFilters {
  status?: DocumentStatus | "";
  tag?: string;
  q?: string;
}

const settled = (document: DocumentRead) =>
  document.status === "indexed" || document.status === "failed";

/** A collection's documents (filtered by the server); polls while any is being processed. */
export function useDocuments(
  collectionId: string,
  pollMs = POLL_INTERVAL_MS,
  filters: DocumentFilters = {},
) {
  const [documents, setDocuments] = useState<DocumentRead[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Empty filters are no filters: normalized so a blank form does not refetch.
  const status = filters.status || undefined;
  const tag = filters.tag || undefined;
  const q = filters.q || undefined;
  const filtered = Boolean(status || tag || q);

  // Uploads the list has not caught up with yet: a list request that started before an
  // upload finished must not make its document vanish.
  const added = useRef(new Map<string, DocumentRead>());

  const reload = useCallback(async () => {
    try {
      const page = await unwrap(
        api.GET("/api/documents", {
          params: {
            query: {
              collection_id: collectionId,
              limit: 100,
              status,
              tag,
              q,
            },
          },
        }),
      );
      for (const item of page.items) added.current.delete(item.id);
      // A filtered list shows what the server matched, nothing more.
      setDocuments(filtered ? page.items : [...added.current.values(), ...page.items]);
      setError(null);
    } catch (failure) {
      setError(messageOf(failure));
    }
  }, [collectionId, status, tag, q, filtered]);

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

  const replace = useCallback((document: DocumentRead) => {
    setDocuments((current) =>
      (current ?? []).map((item) => (item.id === document.id ? document : item)),
    );
  }, []);

  return { documents, error, reload, add, replace };
}
