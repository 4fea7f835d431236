"use client";

import Link from "next/link";
import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/Button";
import { sanitizeSnippet } from "@/lib/sanitize";
import { documentHref, passageFromSnippet, spanOf } from "@/lib/viewer";
import { useViewerPassage } from "@/stores/viewerPassage";
import type { SearchHit } from "./searchParams";

function Hit({ hit, onOpen }: { hit: SearchHit; onOpen?: () => void }) {
  const handOver = useViewerPassage((state) => state.handOver);
  const href = documentHref(hit.document_id, { page: hit.page, span: spanOf(hit) });
  const page =
    hit.page == null
      ? null
      : hit.page_end && hit.page_end !== hit.page
        ? `pages ${hit.page}–${hit.page_end}`
        : `page ${hit.page}`;
  return (
    <li
      data-testid="search-result"
      className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <Link
        href={href}
        // A click, or Enter on the focused link; a middle click opens a tab without one.
        onClick={() => {
          handOver({ href, text: passageFromSnippet(hit.snippet) });
          onOpen?.();
        }}
        className="font-medium text-brand-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:text-brand-100"
      >
        {hit.document_title}
      </Link>
      {page && <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">{page}</span>}
      <p
        data-testid="search-snippet"
        className="mt-1 text-sm leading-relaxed text-slate-700 dark:text-slate-300 [&_mark]:rounded [&_mark]:bg-amber-200 [&_mark]:px-0.5 [&_mark]:text-slate-900 dark:[&_mark]:bg-amber-500/40 dark:[&_mark]:text-amber-50"
        // Sanitized: only <mark> survives (see lib/sanitize.ts).
        dangerouslySetInnerHTML={{ __html: sanitizeSnippet(hit.snippet) }}
      />
    </li>
  );
}

/**
 * Results with infinite scroll: reaching the end loads the next page (a button does too).
 * `onOpen` hears which hit (its index in `items`) was opened; it must not hold up the link.
 */
export function SearchResults({
  items,
  hasMore,
  loading,
  onMore,
  onOpen,
}: {
  items: SearchHit[];
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  onOpen?: (index: number) => void;
}) {
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasMore || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) onMore();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasMore, onMore]);
  return (
    <>
      <ol aria-label="Search results" className="space-y-3">
        {items.map((hit, index) => (
          <Hit key={hit.chunk_id} hit={hit} onOpen={onOpen && (() => onOpen(index))} />
        ))}
      </ol>
      {hasMore && (
        <div ref={sentinel} className="flex justify-center pt-2">
          <Button variant="secondary" loading={loading} onClick={onMore}>
            Load more results
          </Button>
        </div>
      )}
    </>
  );
}
