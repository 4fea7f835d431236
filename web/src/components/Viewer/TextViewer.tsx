"use client";

import { useEffect, useRef } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Skeleton } from "@/components/ui/Skeleton";
import { useDocumentPages } from "@/hooks/documents/viewer";
import { ApiError, errorText } from "@/lib/api/problem";
import { findPassage, spanOnPage, type Span, type TextPage } from "@/lib/viewer";

/** The part of a page to mark: the link's span, else the handed-over passage found in it. */
function markedRange(page: TextPage, span: Span | null, passage: string | null) {
  if (span) return spanOnPage(page, span);
  if (!passage) return null;
  const ranges = findPassage([page.text], passage);
  return ranges ? ([ranges[0]!.start, ranges.at(-1)!.end] as [number, number]) : null;
}

function Page({
  page,
  range,
  markRef,
}: {
  page: TextPage;
  range: [number, number] | null;
  markRef?: (element: HTMLElement | null) => void;
}) {
  return (
    <section
      aria-label={`Page ${page.page}`}
      data-testid="text-page"
      data-page={page.page}
      className="scroll-mt-20 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900 sm:p-6"
    >
      <h3 className="mb-2 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
        Page {page.page}
      </h3>
      <div className="whitespace-pre-wrap break-words text-sm leading-relaxed text-slate-800 dark:text-slate-200">
        {range ? (
          <>
            {page.text.slice(0, range[0])}
            {/* React-escaped text: the passage is marked with an element, not with HTML. */}
            <mark
              ref={markRef}
              tabIndex={-1}
              className="rounded bg-amber-200 px-0.5 text-slate-900 dark:bg-amber-500/40 dark:text-amber-50"
            >
              {page.text.slice(range[0], range[1])}
            </mark>
            {page.text.slice(range[1])}
          </>
        ) : (
          page.text
        )}
      </div>
    </section>
  );
}

/**
 * A document's extracted text, page by page from the linked page: earlier pages on demand,
 * later ones as the reader scrolls. The passage is marked and scrolled to.
 */
export function TextViewer({
  documentId,
  versionId,
  page,
  span,
  passage,
}: {
  documentId: string;
  versionId: string;
  page: number;
  span: Span | null;
  passage: string | null;
}) {
  const pages = useDocumentPages(documentId, page, versionId);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  const sentinel = useRef<HTMLDivElement>(null);
  const scrolled = useRef(false);

  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasNextPage || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage)
        void fetchNextPage();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const markRef = (element: HTMLElement | null) => {
    if (!element || scrolled.current) return;
    scrolled.current = true;
    element.scrollIntoView?.({ block: "center" });
  };

  if (pages.error) {
    const gone = pages.error instanceof ApiError && pages.error.status === 404;
    return (
      <Alert>
        {gone
          ? "The text of this document cannot be shown yet. You can still download the file."
          : errorText(pages.error)}
      </Alert>
    );
  }
  if (!pages.data)
    return (
      <div aria-busy="true" aria-label="Loading the text" className="space-y-2">
        <Skeleton className="h-4 w-full" />
        <Skeleton className="h-4 w-11/12" />
        <Skeleton className="h-4 w-2/3" />
      </div>
    );
  const items = pages.data.pages.flatMap((answer) => answer.items);
  const ranges = new Map<number, [number, number] | null>();
  for (const item of items) {
    // Only the first occurrence of a handed-over passage is marked.
    const found = [...ranges.values()].some(Boolean);
    ranges.set(item.page, found && !span ? null : markedRange(item, span, passage));
  }
  // Scrolled to: the linked page's mark (a span may start on the page before), else the first.
  const focus = ranges.get(page) ? page : items.find((item) => ranges.get(item.page))?.page;
  return (
    <div className="space-y-4" data-testid="text-viewer">
      {pages.hasPreviousPage && (
        <Button
          variant="secondary"
          loading={pages.isFetchingPreviousPage}
          onClick={() => void pages.fetchPreviousPage()}
        >
          Show earlier pages
        </Button>
      )}
      {items.map((item) => (
        <Page
          key={item.page}
          page={item}
          range={ranges.get(item.page) ?? null}
          markRef={item.page === focus ? markRef : undefined}
        />
      ))}
      {pages.hasNextPage && (
        <div ref={sentinel} className="flex justify-center">
          <Button
            variant="secondary"
            loading={isFetchingNextPage}
            onClick={() => void fetchNextPage()}
          >
            Show more pages
          </Button>
        </div>
      )}
    </div>
  );
}
