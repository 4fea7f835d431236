"use client";

import Link from "next/link";

/** The search bar's stand-in in the header: a link with its keyboard shortcut. */
export function SearchButton() {
  return (
    <Link
      href="/search?focus=1"
      aria-label="Search (press / or Ctrl+K)"
      aria-keyshortcuts="/ Control+K Meta+K"
      className="flex h-9 items-center gap-2 rounded-lg border border-slate-200 px-2 text-sm text-slate-500 hover:bg-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:border-slate-800 dark:text-slate-400 dark:hover:bg-slate-800 sm:w-56 sm:px-3"
    >
      <svg
        aria-hidden
        viewBox="0 0 24 24"
        className="h-4 w-4"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
      >
        <circle cx="11" cy="11" r="7" />
        <path d="m20 20-3.5-3.5" />
      </svg>
      <span className="hidden flex-1 sm:inline">Search…</span>
      <kbd className="hidden rounded border border-slate-300 px-1.5 text-xs dark:border-slate-700 sm:inline">
        /
      </kbd>
    </Link>
  );
}
