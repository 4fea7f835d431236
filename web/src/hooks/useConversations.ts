"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api, unwrap } from "@/lib/api/client";
import { messageOf } from "@/lib/api/problem";
import type { ConversationRead } from "@/lib/assistant";

const PAGE_SIZE = 30;

/** The caller's conversations, most recently active first; `loadMore` appends a page. */
export function useConversations() {
  const [items, setItems] = useState<ConversationRead[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const generation = useRef(0);

  const fetchPage = useCallback(async (cursor: string | null) => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const page = await unwrap(
        api.GET("/api/assistant/conversations", {
          params: { query: { limit: PAGE_SIZE, cursor } },
        }),
      );
      if (mine !== generation.current) return;
      setItems((current) => (cursor && current ? [...current, ...page.items] : page.items));
      setNextCursor(page.next_cursor ?? null);
      setError(null);
    } catch (failure) {
      if (mine === generation.current) setError(messageOf(failure));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => void fetchPage(null), [fetchPage]);

  const reload = useCallback(() => fetchPage(null), [fetchPage]);
  const loadMore = useCallback(() => {
    if (nextCursor && !loading) void fetchPage(nextCursor);
  }, [nextCursor, loading, fetchPage]);

  return { conversations: items, error, loading, hasMore: nextCursor !== null, reload, loadMore };
}
