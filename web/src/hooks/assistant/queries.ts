"use client";

import { queryOptions, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { errorText } from "@/lib/api/problem";
import { passageQuery, type CitationRead } from "@/lib/assistant";
import { assistantKeys } from "./keys";

const PAGE_SIZE = 30;

/** The caller's conversations, most recently active first; `loadMore` appends a page. */
export function useConversations() {
  const query = useInfiniteQuery({
    queryKey: assistantKeys.conversations(),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/assistant/conversations", {
          params: { query: { limit: PAGE_SIZE, cursor: pageParam } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const { data, hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  return {
    conversations: data ? data.pages.flatMap((page) => page.items) : null,
    error: errorText(query.error),
    loading: query.isFetching,
    hasMore: hasNextPage,
    loadMore: () => {
      if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
    },
  };
}

/** A stored conversation with its messages (read by useAsk when one is opened). */
export const conversationQuery = (conversationId: string) =>
  queryOptions({
    queryKey: assistantKeys.conversation(conversationId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/assistant/conversations/{conversation_id}", {
          params: { path: { conversation_id: conversationId } },
          signal,
        }),
      ),
  });

export type PassageState =
  { status: "loading" } | { status: "found"; text: string } | { status: "missing" };

/**
 * The text of a cited chunk. The gateway exposes no chunk endpoint, so it is found the
 * way a reader would: a full-text search for the quote in the cited collection, keeping
 * the hit with the citation's chunk ID. `missing` when it cannot be found (the quote
 * alone is then shown).
 */
export function useAskPassage(citation: CitationRead | null): PassageState {
  const query = useQuery({
    queryKey: assistantKeys.passage(citation?.chunk_id ?? ""),
    queryFn: async ({ signal }) => {
      const page = await unwrap(
        api.POST("/api/search", {
          body: {
            query: passageQuery(citation!.quote) || citation!.document_title,
            mode: "fulltext",
            collection_ids: citation!.collection_id ? [citation!.collection_id] : null,
            limit: 50,
          },
          signal,
        }),
      );
      return page.items.find((item) => item.chunk_id === citation!.chunk_id)?.text ?? null;
    },
    enabled: citation !== null,
    // Chunks do not change once indexed (a new version has new chunk IDs): a found one is
    // fetched once; a missing one is looked for again next time.
    staleTime: (query) => (query.state.data ? Infinity : 0),
    retry: false,
  });
  if (query.isPending) return { status: "loading" };
  if (query.isError || query.data === null) return { status: "missing" };
  return { status: "found", text: query.data };
}
