"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api, unwrap } from "@/lib/api/client";
import { messageOf } from "@/lib/api/problem";
import { searchBody, type SearchHit, type SearchState } from "@/components/Search/searchParams";

interface Results {
  items: SearchHit[];
  nextCursor: string | null;
  tookMs: number;
}

/** Results of a search state; `loadMore` appends the next page. Stale answers are dropped. */
export function useSearch(state: SearchState) {
  const [results, setResults] = useState<Results | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const generation = useRef(0);
  const key = JSON.stringify(state);

  const fetchPage = useCallback(
    async (cursor: string | null) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const page = await unwrap(api.POST("/api/search", { body: searchBody(state, cursor) }));
        if (mine !== generation.current) return;
        setResults((current) => ({
          items: cursor && current ? [...current.items, ...page.items] : page.items,
          nextCursor: page.next_cursor ?? null,
          tookMs: page.took_ms,
        }));
        setError(null);
      } catch (failure) {
        if (mine === generation.current) setError(messageOf(failure));
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` is `state`, by value
    [key],
  );

  useEffect(() => {
    setResults(null);
    setError(null);
    if (state.q.trim()) void fetchPage(null);
    else generation.current++;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` is `state`, by value
  }, [key, fetchPage]);

  const loadMore = useCallback(() => {
    if (results?.nextCursor && !loading) void fetchPage(results.nextCursor);
  }, [results, loading, fetchPage]);

  return { results, error, loading, loadMore };
}
