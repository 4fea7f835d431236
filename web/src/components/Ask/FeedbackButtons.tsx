"use client";

import type { Rating } from "@/lib/assistant";
import { cn } from "@/lib/cn";

const THUMB =
  "M7 10v11H3V10h4Zm2 11h8.3a2 2 0 0 0 2-1.6l1.3-7A2 2 0 0 0 18.6 10H14l.8-4.1a1.8 1.8 0 0 0-3.3-1.3L9 9v12Z";

function Thumb({ down = false }: { down?: boolean }) {
  return (
    <svg aria-hidden viewBox="0 0 24 24" className={cn("h-4 w-4", down && "rotate-180")}>
      <path d={THUMB} fill="currentColor" />
    </svg>
  );
}

/** Thumbs up/down on an answer; the chosen one is pressed. Choosing again changes it. */
export function FeedbackButtons({
  rating,
  onRate,
}: {
  rating: Rating | null;
  onRate: (rating: Rating) => void;
}) {
  const button = (value: Rating, label: string, hint: string) => (
    <button
      type="button"
      aria-label={label}
      title={hint}
      aria-pressed={rating === value}
      onClick={() => rating !== value && onRate(value)}
      className={cn(
        "rounded-md p-1.5 transition-colors focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
        rating === value
          ? "bg-brand-50 text-brand-700 dark:bg-brand-500/20 dark:text-brand-100"
          : "text-slate-500 hover:bg-slate-100 hover:text-slate-700 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-slate-200",
      )}
    >
      <Thumb down={value === "down"} />
    </button>
  );
  return (
    <div role="group" aria-label="Rate this answer" className="flex items-center gap-1">
      {button("up", "Thumbs up", "Helpful answer")}
      {button("down", "Thumbs down", "Unhelpful answer")}
      <span role="status" className="ml-1 text-xs text-slate-500 dark:text-slate-400">
        {rating && "Thanks for your feedback."}
      </span>
    </div>
  );
}
