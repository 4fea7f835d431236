"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { searchBody, type SearchState } from "@/components/Search/searchParams";
import { api, unwrap } from "@/lib/api/client";
import { searchKeys } from "./keys";
import type { ClickCreate } from "./mutations";

/**
 * Results of a search state, a page at a time (`fetchNextPage` appends one). `clickOf(index)`
 * is what to report when the hit at that index is opened: its rank counts from 1 across the
 * pages, and the search is the answer it came in (each page is logged with its own
 * `query_id`); null when that answer named no search.
 */
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
        clickOf: (index: number): ClickCreate | null => {
          let offset = index;
          for (const page of pages) {
            if (offset < page.items.length) {
              const hit = page.items[offset]!;
              return page.query_id
                ? {
                    query_id: page.query_id,
                    document_id: hit.document_id,
                    chunk_id: hit.chunk_id,
                    rank: index + 1,
                  }
                : null;
            }
            offset -= page.items.length;
          }
          return null;
        },
      }
    : null;
  return { ...query, results };
}
