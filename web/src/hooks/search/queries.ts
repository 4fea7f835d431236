"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { searchBody, type SearchState } from "@/components/Search/searchParams";
import { api, unwrap } from "@/lib/api/client";
import { searchKeys } from "./keys";

/** Results of a search state, a page at a time (`fetchNextPage` appends one). */
export function useSearch(state: SearchState) {
  const query = useInfiniteQuery({
    queryKey: searchKeys.results(state),
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.POST("/api/search", { body: searchBody(state, pageParam), signal })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    enabled: state.q.trim() !== "",
  });
  const pages = query.data?.pages;
  const results = pages
    ? {
        items: pages.flatMap((page) => page.items),
        nextCursor: pages.at(-1)?.next_cursor ?? null,
        tookMs: pages.at(-1)?.took_ms ?? 0,
      }
    : null;
  return { ...query, results };
}
