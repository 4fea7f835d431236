"use client";

import { useId } from "react";
import { Alert } from "@/components/ui/Alert";
import { Skeleton } from "@/components/ui/Skeleton";
import type { CitationRead, Rating, Turn } from "@/lib/assistant";
import { AnswerText } from "./AnswerText";
import { FeedbackButtons } from "./FeedbackButtons";

function Meta({ turn }: { turn: Turn }) {
  if (!turn.provider) return null;
  return (
    <div className="flex flex-wrap items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
      <span className="sr-only">Answered by</span>
      <span
        data-testid="answer-provider"
        className="inline-flex items-center rounded-full bg-slate-100 px-2 py-0.5 font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-200"
      >
        {turn.provider}
      </span>
      {turn.model && <span data-testid="answer-model">{turn.model}</span>}
      {turn.cached && (
        <span className="rounded-full bg-blue-100 px-2 py-0.5 font-medium text-blue-800 dark:bg-blue-900/50 dark:text-blue-200">
          cached
        </span>
      )}
    </div>
  );
}

/** A question and its answer: streamed text, citations, flags, provider and feedback. */
export function AnswerCard({
  turn,
  onCite,
  onRate,
}: {
  turn: Turn;
  onCite: (citation: CitationRead) => void;
  onRate: (rating: Rating) => void;
}) {
  const legendId = useId();
  const streaming = turn.state === "streaming";
  const flagged = turn.state === "done" ? turn.unsupported.length : 0;
  return (
    <li className="space-y-3">
      <div className="flex justify-end">
        <p
          data-testid="question"
          className="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl rounded-br-md bg-brand-600 px-4 py-2 text-sm text-white dark:bg-brand-500"
        >
          <span className="sr-only">You asked: </span>
          {turn.question}
        </p>
      </div>
      <article
        data-testid="answer"
        data-state={turn.state}
        aria-busy={streaming}
        aria-label={`Answer to “${turn.question}”`}
        className="space-y-3 rounded-2xl rounded-bl-md border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
      >
        <Meta turn={turn} />
        {turn.restartedFrom && streaming && (
          <p role="status" className="text-xs text-amber-700 dark:text-amber-300">
            {turn.restartedFrom} stopped answering; another provider is answering instead.
          </p>
        )}
        {streaming && !turn.text ? (
          <div aria-label="Looking through your documents" className="space-y-2">
            <Skeleton className="h-4 w-5/6" />
            <Skeleton className="h-4 w-2/3" />
          </div>
        ) : (
          turn.text && (
            <AnswerText
              text={turn.text}
              citations={turn.citations}
              unsupported={turn.unsupported}
              streaming={streaming}
              legendId={flagged ? legendId : undefined}
              onCite={onCite}
            />
          )
        )}
        {turn.withheld && (
          <p
            data-testid="withheld-note"
            className="rounded-lg bg-slate-100 px-3 py-2 text-sm text-slate-700 dark:bg-slate-800 dark:text-slate-200"
          >
            This answer is hidden: it quoted{" "}
            {turn.unavailableSources === 1 ? "a document" : `${turn.unavailableSources} documents`}{" "}
            you can no longer read.
          </p>
        )}
        {turn.state === "error" && turn.error && <Alert>{turn.error}</Alert>}
        {flagged > 0 && (
          <p
            id={legendId}
            data-testid="unsupported-note"
            className="rounded-lg bg-amber-50 px-3 py-2 text-xs text-amber-900 dark:bg-amber-950/40 dark:text-amber-200"
          >
            {flagged === 1 ? "The underlined sentence is" : `${flagged} underlined sentences are`}{" "}
            not supported by the passages cited. Check {flagged === 1 ? "it" : "them"} against the
            documents.
          </p>
        )}
        {turn.state === "done" && turn.messageId && (
          <div className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-100 pt-2 dark:border-slate-800">
            <span className="text-xs text-slate-500 dark:text-slate-400">
              {turn.citations.length === 0
                ? "No sources cited"
                : `${turn.citations.length} source${turn.citations.length === 1 ? "" : "s"} cited`}
            </span>
            <FeedbackButtons rating={turn.rating} onRate={onRate} />
          </div>
        )}
      </article>
      <p role="status" className="sr-only">
        {turn.state === "done" ? "Answer complete." : ""}
      </p>
    </li>
  );
}
