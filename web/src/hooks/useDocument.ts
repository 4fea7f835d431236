"use client";

import { useCallback, useEffect, useState } from "react";
import { api, unwrap } from "@/lib/api/client";
import { messageOf } from "@/lib/api/problem";
import { POLL_INTERVAL_MS, type DocumentRead } from "./useDocuments";

export const isSettled = (document: DocumentRead) =>
  document.status === "indexed" || document.status === "failed";

/** One document; polls while it is being processed so its status and steps stay live. */
export function useDocument(documentId: string, pollMs = POLL_INTERVAL_MS) {
  const [document, setDocument] = useState<DocumentRead | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setDocument(
        await unwrap(
          api.GET("/api/documents/{document_id}", {
            params: { path: { document_id: documentId } },
          }),
        ),
      );
      setError(null);
    } catch (failure) {
      setError(messageOf(failure));
    }
  }, [documentId]);

  useEffect(() => void reload(), [reload]);

  useEffect(() => {
    if (document === null || isSettled(document)) return;
    const timer = setTimeout(() => void reload(), pollMs);
    return () => clearTimeout(timer);
  }, [document, reload, pollMs]);

  return { document, error, reload, setDocument };
}
