"use client";

import * as RadixDialog from "@radix-ui/react-dialog";
import Link from "next/link";
import { useEffect, useRef } from "react";
import { Skeleton } from "@/components/ui/Skeleton";
import { useAskPassage } from "@/hooks/assistant/queries";
import { locateQuote, pageLabel, type CitationRead } from "@/lib/assistant";
import { documentHref, spanOf } from "@/lib/viewer";
import { useViewerPassage } from "@/stores/viewerPassage";

function Passage({ citation }: { citation: CitationRead }) {
  const passage = useAskPassage(citation);
  const mark = useRef<HTMLElement>(null);
  // A block body: Chromium's scrollIntoView returns a promise, which React would take for
  // the effect's cleanup.
  useEffect(() => {
    mark.current?.scrollIntoView?.({ block: "center" });
  }, [passage.status]);

  if (passage.status === "loading")
    return (
      <div aria-busy="true" aria-label="Loading the passage" className="space-y-2">
        <Skeleton className="h-4 w-full" />
        <Skeleton className="h-4 w-11/12" />
        <Skeleton className="h-4 w-2/3" />
      </div>
    );
  const found = passage.status === "found" ? locateQuote(passage.text, citation.quote) : null;
  // Without the passage (or the quote in it), the quote alone is shown.
  const text = found && passage.status === "found" ? passage.text : citation.quote;
  const [start, end] = found ?? [0, citation.quote.length];
  return (
    <>
      <blockquote
        data-testid="cited-passage"
        className="max-h-[50vh] overflow-y-auto whitespace-pre-wrap break-words rounded-lg border border-slate-200 bg-slate-50 p-3 text-sm leading-relaxed text-slate-700 dark:border-slate-800 dark:bg-slate-950 dark:text-slate-300"
      >
        {text.slice(0, start)}
        {/* React-escaped text: the quote is marked with an element, not with HTML. */}
        <mark
          ref={mark}
          className="rounded bg-amber-200 px-0.5 text-slate-900 dark:bg-amber-500/40 dark:text-amber-50"
        >
          {text.slice(start, end)}
        </mark>
        {text.slice(end)}
      </blockquote>
      {!found && (
        <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
          Only the quoted words are shown: the surrounding passage could not be loaded.
        </p>
      )}
    </>
  );
}

/** The passage a citation points to: its document, page, and the quote marked in context. */
export function PassageDialog({
  citation,
  onClose,
}: {
  citation: CitationRead | null;
  onClose: () => void;
}) {
  const page = citation ? pageLabel(citation) : null;
  const handOver = useViewerPassage((state) => state.handOver);
  const href = citation
    ? documentHref(citation.document_id, {
        page: citation.page,
        // Older answers' citations have no `span`; their quote offsets are one.
        span: spanOf(citation) ?? { start: citation.start_char, end: citation.end_char },
      })
    : "";
  // Opened without a Radix trigger: focus goes back to the marker by hand.
  const opener = useRef<HTMLElement | null>(null);
  return (
    <RadixDialog.Root open={citation !== null} onOpenChange={(open) => !open && onClose()}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-slate-950/50 backdrop-blur-sm data-[state=open]:animate-fade-in" />
        <RadixDialog.Content
          onOpenAutoFocus={() => {
            opener.current = document.activeElement as HTMLElement | null;
          }}
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            opener.current?.focus();
          }}
          className="fixed left-1/2 top-1/2 z-50 max-h-[90vh] w-[calc(100vw-2rem)] max-w-2xl -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-xl border border-slate-200 bg-white p-5 shadow-xl focus:outline-none data-[state=open]:animate-scale-in dark:border-slate-800 dark:bg-slate-900 sm:p-6"
        >
          <RadixDialog.Title className="pr-8 text-lg font-semibold text-slate-900 dark:text-slate-50">
            Cited passage
          </RadixDialog.Title>
          {citation && (
            <>
              <RadixDialog.Description className="mt-1 text-sm text-slate-600 dark:text-slate-400">
                <span className="sr-only">Citation {citation.n} from </span>
                <span
                  data-testid="cited-document"
                  className="font-medium text-slate-800 dark:text-slate-200"
                >
                  {citation.document_title}
                </span>
                {page && <span> · {page}</span>}
              </RadixDialog.Description>
              <div className="mt-4">
                <Passage key={citation.chunk_id} citation={citation} />
              </div>
              <div className="mt-4 flex justify-end">
                <Link
                  href={href}
                  onClick={() => handOver({ href, text: citation.quote })}
                  className="text-sm font-medium text-brand-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:text-brand-100"
                >
                  Open the document
                </Link>
              </div>
            </>
          )}
          <RadixDialog.Close
            aria-label="Close"
            className="absolute right-4 top-4 rounded-md p-1 text-slate-500 hover:bg-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:hover:bg-slate-800"
          >
            <svg aria-hidden viewBox="0 0 20 20" className="h-5 w-5" fill="currentColor">
              <path d="M6.3 5.3a1 1 0 0 0-1.4 1.4L8.6 10l-3.7 3.3a1 1 0 1 0 1.4 1.4L10 11.4l3.3 3.3a1 1 0 0 0 1.4-1.4L11.4 10l3.3-3.3a1 1 0 0 0-1.4-1.4L10 8.6 6.3 5.3Z" />
            </svg>
          </RadixDialog.Close>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
