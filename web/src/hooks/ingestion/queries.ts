"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, unwrap } from "@/lib/api/client";
import { POLL_INTERVAL_MS } from "@/hooks/documents/queries";
import { ingestionKeys, isBusy, type IngestionOverview, type WatchedStatus } from "./keys";

/** Queue depth and documents by status (one collection's: a re-index's progress); polls
 * while documents wait or are being processed. */
export function useIngestionOverview(collectionId: string | null, pollMs = POLL_INTERVAL_MS) {
  return useQuery({
    queryKey: ingestionKeys.overview(collectionId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/documents/ingestion", {
          params: { query: { collection_id: collectionId ?? undefined } },
          signal,
        }),
      ),
    refetchInterval: (query) => (isBusy(query.state.data) ? pollMs : false),
  });
}

/** The organization's documents in `status`, latest change first; `pollMs` while busy. */
export function useIngestionDocuments(status: WatchedStatus, pollMs: number | false = false) {
  return useQuery({
    queryKey: ingestionKeys.documents(status),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/documents/ingestion/documents", {
          params: { query: { status, limit: 100 } },
          signal,
        }),
      ).then((page) => page.items),
    refetchInterval: pollMs,
  });
}

/** The lists ask again whenever the numbers change: the last poll of a busy spell may
 * come before its last document settled. */
export function useListsFollow(overview: IngestionOverview | undefined) {
  const client = useQueryClient();
  const counts = overview ? JSON.stringify(overview.counts) : null;
  useEffect(() => {
    if (counts !== null)
      void client.invalidateQueries({ queryKey: [...ingestionKeys.all, "documents"] });
  }, [client, counts]);
}
