"use client";

import type { ReactNode } from "react";
import { segmentAnswer, type CitationRead } from "@/lib/assistant";

/**
 * The answer as escaped text with its citation marks as buttons. Sentences the server
 * could not match to their cited passages are underlined, with a spoken label.
 */
export function AnswerText({
  text,
  citations,
  unsupported,
  streaming,
  legendId,
  onCite,
}: {
  text: string;
  citations: CitationRead[];
  unsupported: string[];
  streaming: boolean;
  legendId?: string;
  onCite: (citation: CitationRead) => void;
}) {
  const nodes: ReactNode[] = [];
  let inClaim = false;
  segmentAnswer(text, citations, streaming ? [] : unsupported).forEach((segment, index) => {
    if (segment.kind === "cite") {
      const { citation, n } = segment;
      nodes.push(
        citation ? (
          <button
            key={index}
            type="button"
            onClick={() => onCite(citation)}
            aria-label={`Citation ${n}: ${citation.document_title}`}
            aria-haspopup="dialog"
            className="mx-0.5 inline-flex h-5 min-w-5 -translate-y-1 items-center justify-center rounded-md bg-brand-50 px-1 align-baseline text-xs font-semibold text-brand-700 hover:bg-brand-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:bg-brand-500/20 dark:text-brand-100 dark:hover:bg-brand-500/30"
          >
            {n}
          </button>
        ) : (
          // Not resolved (yet): the server removes marks it cannot verify.
          <span key={index} className="text-xs text-slate-500 dark:text-slate-400">
            [{n}]
          </span>
        ),
      );
      return;
    }
    if (!segment.unsupported) {
      inClaim = false;
      nodes.push(<span key={index}>{segment.text}</span>);
      return;
    }
    nodes.push(
      <span
        key={index}
        data-testid="unsupported-sentence"
        aria-describedby={legendId}
        className="rounded-sm bg-amber-100/70 underline decoration-amber-500 decoration-wavy underline-offset-4 dark:bg-amber-500/15 dark:decoration-amber-400"
      >
        {!inClaim && <span className="sr-only">Unsupported claim: </span>}
        {segment.text}
      </span>,
    );
    inClaim = true;
  });
  return (
    <p className="whitespace-pre-wrap break-words leading-relaxed text-slate-800 dark:text-slate-200">
      {nodes}
      {streaming && (
        <span
          aria-hidden
          className="ml-0.5 inline-block h-4 w-1.5 animate-pulse rounded-sm bg-brand-500 align-middle"
        />
      )}
    </p>
  );
}
