"use client";

import { Button } from "./Button";

/** What an error boundary shows: a sentence and a way out, never a stack or a blank page. */
export function ErrorPanel({ reset, digest }: { reset: () => void; digest?: string }) {
  return (
    <div
      role="alert"
      className="mx-auto flex max-w-md flex-col items-center gap-3 px-6 py-16 text-center"
    >
      <h1 className="text-xl font-semibold">Something went wrong</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        This page could not be shown. Try again; if it keeps happening, reload the page.
      </p>
      {digest && <p className="text-xs text-slate-500 dark:text-slate-400">Reference: {digest}</p>}
      <div className="flex gap-2">
        <Button onClick={reset}>Try again</Button>
        <Button variant="secondary" onClick={() => window.location.reload()}>
          Reload
        </Button>
      </div>
    </div>
  );
}
