"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { evaluationKeys } from "./keys";

export const PAGE_SIZE = 20;

/** The organization's evaluation runs, newest first, a page at a time. A run finishes
 * inside its own request, so there is nothing in progress to poll for. */
export function useEvaluations() {
  const query = useInfiniteQuery({
    queryKey: evaluationKeys.list(),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/search/evaluations", {
          params: { query: { limit: PAGE_SIZE, cursor: pageParam ?? undefined } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const items = query.data?.pages.flatMap((page) => page.items);
  return { ...query, items };
}
