"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, authFetch } from "@/lib/api/client";
import { ApiError, errorFromResponse } from "@/lib/api/problem";
import type { components } from "@/lib/api/schema";
import { spanText, type Span, type TextPage } from "@/lib/viewer";
import { documentKeys } from "./keys";

/** GET /api/search/documents/{document_id}/pages: the extracted text, page by page. */
export type DocumentPages = components["schemas"]["DocumentPages"];

export const PAGES_PER_REQUEST = 5;

async function fetchPages(
  documentId: string,
  from: number,
  limit: number,
  signal?: AbortSignal,
): Promise<DocumentPages> {
  const url = new URL(
    `/api/search/documents/${encodeURIComponent(documentId)}/pages`,
    window.location.origin,
  );
  url.searchParams.set("from", String(from));
  url.searchParams.set("limit", String(limit));
  const response = await authFetch(new Request(url, { signal, credentials: "same-origin" }));
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as DocumentPages;
}

/**
 * A document's extracted text, page by page from `from`: `fetchNextPage` loads the pages
 * after the last one shown, `fetchPreviousPage` those before the first.
 */
export function useDocumentPages(documentId: string, from: number, versionId: string) {
  return useInfiniteQuery({
    queryKey: [...documentKeys.pages(documentId), versionId, from],
    queryFn: ({ pageParam, signal }) =>
      fetchPages(documentId, pageParam.from, pageParam.limit, signal),
    initialPageParam: { from, limit: PAGES_PER_REQUEST },
    getNextPageParam: (last) => {
      const next = (last.items.at(-1)?.page ?? last.page_count) + 1;
      return next <= last.page_count ? { from: next, limit: PAGES_PER_REQUEST } : undefined;
    },
    getPreviousPageParam: (first) => {
      const before = first.items[0]?.page ?? 1;
      if (before <= 1) return undefined;
      const start = Math.max(1, before - PAGES_PER_REQUEST);
      return { from: start, limit: before - start };
    },
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
}

const MAX_PAGES_PER_REQUEST = 20;

const pageOf = (pages: TextPage[], offset: number): number | null =>
  pages.find((page) => page.start <= offset && offset < page.end)?.page ?? null;

/** Pages, or null when the endpoint cannot answer for this document (4xx). */
const pagesOrNull = (promise: Promise<DocumentPages>) =>
  promise.catch((error: unknown) => {
    if (error instanceof ApiError && error.status < 500) return null;
    throw error;
  });

/**
 * Reads the pages around a span until they cover it: from the page the link names (usually
 * right), else from the first page on.
 */
async function findSpanText(
  documentId: string,
  hint: number | null,
  span: Span,
  signal: AbortSignal,
): Promise<{ text: string; page: number | null } | null> {
  let from = hint ?? 1;
  let limit = PAGES_PER_REQUEST;
  let fromStart = from === 1;
  for (let request = 0; request < 50; request++) {
    const pages = await pagesOrNull(fetchPages(documentId, from, limit, signal));
    const first = pages?.items[0];
    const last = pages?.items.at(-1);
    if (!pages || !first || !last) return null;
    const text = spanText(pages.items, span);
    if (text !== null) return { text, page: pageOf(pages.items, span.start) };
    const startPage = pageOf(pages.items, span.start);
    if (first.start > span.start) {
      if (fromStart) return null;
      [from, fromStart] = [1, true]; // the hint was past the span
    } else if (startPage !== null) {
      // The span starts here and ends beyond these pages: once more, with more pages.
      if (startPage === first.page && limit === MAX_PAGES_PER_REQUEST) return null;
      [from, limit] = [startPage, MAX_PAGES_PER_REQUEST];
    } else if (last.page >= pages.page_count) {
      return null;
    } else {
      from = last.page + 1;
    }
  }
  return null;
}

/**
 * The text of a span and the page it starts on, from the pages endpoint. Null when that
 * cannot say (not deployed yet, document not indexed): the viewer then falls back to the
 * passage handed over by the link it was opened from.
 */
export function useSpanText(documentId: string, page: number | null, span: Span | null) {
  return useQuery({
    queryKey: [...documentKeys.pages(documentId), "span", page, span?.start, span?.end],
    queryFn: ({ signal }) => (span ? findSpanText(documentId, page, span, signal) : null),
    enabled: span !== null,
    staleTime: Infinity,
    retry: false,
  });
}

/** The original file of a document version, as bytes (for pdf.js). */
export function useDocumentFile(documentId: string, versionId: string, enabled = true) {
  return useQuery({
    queryKey: [...documentKeys.detail(documentId), "file", versionId],
    queryFn: async ({ signal }) => {
      const { data, response } = await api.GET("/api/documents/{document_id}/content", {
        params: { path: { document_id: documentId }, query: { version_id: versionId } },
        parseAs: "arrayBuffer",
        signal,
      });
      if (!response.ok || !(data instanceof ArrayBuffer)) throw await errorFromResponse(response);
      return data;
    },
    enabled,
    staleTime: Infinity,
    gcTime: 60_000, // a large file is not kept long after its viewer closes
  });
}
