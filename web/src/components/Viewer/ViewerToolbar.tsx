"use client";

import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/Button";
import type { ItemRange } from "@/lib/viewer";

/** Where the linked passage is in a PDF: not asked for, being looked for, found, not found. */
export type Located =
  null | "searching" | "missing" | { page: number; ranges: Map<number, ItemRange[]> };

/** Says (politely, to screen readers too) where the passage is, with a way back to it. */
export function PassageStatus({ located, onShow }: { located: Located; onShow: () => void }) {
  return (
    <div role="status" className="flex items-center gap-2 text-slate-600 dark:text-slate-400">
      {located === "searching" && <span>Finding the passage…</span>}
      {located === "missing" && <span>The passage could not be found in this file.</span>}
      {typeof located === "object" && located && (
        <>
          <span data-testid="passage-page">Passage on page {located.page}</span>
          <Button variant="ghost" className="h-8 px-2" onClick={onShow}>
            Show passage
          </Button>
        </>
      )}
    </div>
  );
}

/** "Go to page": for keyboards and long documents. */
export function PageJump({
  pageCount,
  onJump,
}: {
  pageCount: number;
  onJump: (page: number) => void;
}) {
  const id = useId();
  const [value, setValue] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const page = Number(value);
    if (Number.isInteger(page) && page >= 1 && page <= pageCount) onJump(page);
  };
  return (
    <form onSubmit={submit} className="flex items-center gap-2">
      <label htmlFor={id} className="text-slate-600 dark:text-slate-400">
        Page
      </label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        max={pageCount}
        value={value}
        onChange={(event) => setValue(event.target.value)}
        className="h-8 w-16 rounded-md border border-slate-300 bg-white px-2 text-slate-900 focus:outline-none focus:ring-2 focus:ring-brand-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      />
      <span className="text-slate-600 dark:text-slate-400">of {pageCount}</span>
      <Button type="submit" variant="secondary" className="h-8 px-3">
        Go
      </Button>
    </form>
  );
}
