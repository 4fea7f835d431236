"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useRef, type KeyboardEvent } from "react";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/Button";
import { askSchema, MAX_QUESTION_CHARS, type AskValues } from "./askSchema";

/**
 * The question box: Enter asks, Shift+Enter starts a new line. While an answer streams,
 * "Ask" waits and "Stop" ends the answer.
 */
export function QuestionForm({
  streaming,
  followUp,
  onAsk,
  onStop,
}: {
  streaming: boolean;
  followUp: boolean;
  onAsk: (question: string) => void;
  onStop: () => void;
}) {
  const { register, handleSubmit, reset, formState, setFocus } = useForm<AskValues>({
    resolver: zodResolver(askSchema),
    defaultValues: { question: "" },
  });
  const error = formState.errors.question?.message;
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    setFocus("question");
  }, [setFocus]);

  const submit = handleSubmit(({ question }) => {
    if (streaming) return;
    onAsk(question);
    reset({ question: "" });
  });

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      form.current?.requestSubmit();
    }
  };

  return (
    <form
      ref={form}
      onSubmit={submit}
      noValidate
      className="rounded-xl border border-slate-200 bg-white p-2 shadow-sm focus-within:ring-2 focus-within:ring-brand-500 dark:border-slate-800 dark:bg-slate-900"
    >
      <label htmlFor="ask-question" className="sr-only">
        Ask a question
      </label>
      <textarea
        id="ask-question"
        rows={2}
        maxLength={MAX_QUESTION_CHARS}
        placeholder={
          followUp ? "Ask a follow-up question…" : "Ask a question about your documents…"
        }
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "ask-question-error" : "ask-question-hint"}
        onKeyDown={onKeyDown}
        className="block max-h-48 min-h-[3rem] w-full resize-y border-0 bg-transparent px-2 py-1.5 text-base text-slate-900 placeholder:text-slate-400 focus:outline-none dark:text-slate-100"
        {...register("question")}
      />
      <div className="flex flex-wrap items-center justify-between gap-2 px-1 pt-1">
        {error ? (
          <p
            id="ask-question-error"
            role="alert"
            className="text-sm text-red-600 dark:text-red-400"
          >
            {error}
          </p>
        ) : (
          <p id="ask-question-hint" className="text-xs text-slate-500 dark:text-slate-400">
            Enter to ask · Shift+Enter for a new line
          </p>
        )}
        <div className="ml-auto flex gap-2">
          {streaming && (
            <Button type="button" variant="secondary" onClick={onStop} className="h-9">
              Stop
            </Button>
          )}
          <Button type="submit" disabled={streaming} className="h-9">
            Ask
          </Button>
        </div>
      </div>
    </form>
  );
}
