"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/Button";
import { cn } from "@/lib/cn";
import {
  dayString,
  PRESETS,
  rangeFor,
  utcDayStart,
  type RangeChoice,
  type RangePreset,
} from "@/lib/analyticsRange";

const DATE_INPUT =
  "block h-10 w-full rounded-lg border border-slate-300 bg-white px-3 text-sm text-slate-900 shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:[color-scheme:dark]";

/**
 * Today, the last 7 or 30 days, or whole days chosen by hand (UTC, like the roll-ups). A
 * preset applies at once; a custom range when it is applied, and only if the API would take it.
 */
export function RangePicker({
  choice,
  onChange,
}: {
  choice: RangeChoice;
  onChange: (choice: RangeChoice) => void;
}) {
  const today = dayString(utcDayStart(new Date()));
  const [custom, setCustom] = useState(choice.preset === "custom");
  const [from, setFrom] = useState(choice.from ?? today);
  const [to, setTo] = useState(choice.to ?? today);
  const [error, setError] = useState<string | null>(null);

  const pick = (preset: RangePreset) => {
    setError(null);
    if (preset === "custom") {
      setCustom(true);
      return;
    }
    setCustom(false);
    onChange({ preset });
  };

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next: RangeChoice = { preset: "custom", from, to };
    const result = rangeFor(next);
    setError(result.error ?? null);
    if (result.range) onChange(next);
  };

  const selected = custom ? "custom" : choice.preset;
  return (
    <div className="space-y-3">
      <div role="group" aria-label="Date range" className="flex flex-wrap gap-1">
        {PRESETS.map((preset) => (
          <button
            key={preset.value}
            type="button"
            aria-pressed={selected === preset.value}
            onClick={() => pick(preset.value)}
            className={cn(
              "h-9 rounded-lg px-3 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
              selected === preset.value
                ? "bg-brand-600 text-white dark:bg-brand-500"
                : "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800",
            )}
          >
            {preset.label}
          </button>
        ))}
      </div>
      {custom && (
        <form
          onSubmit={apply}
          aria-label="Custom range"
          noValidate
          className="flex flex-wrap items-end gap-3"
        >
          <label className="space-y-1.5 text-sm font-medium text-slate-800 dark:text-slate-200">
            <span className="block">First day</span>
            <input
              type="date"
              value={from}
              max={today}
              onChange={(event) => setFrom(event.target.value)}
              className={DATE_INPUT}
            />
          </label>
          <label className="space-y-1.5 text-sm font-medium text-slate-800 dark:text-slate-200">
            <span className="block">Last day</span>
            <input
              type="date"
              value={to}
              max={today}
              onChange={(event) => setTo(event.target.value)}
              className={DATE_INPUT}
            />
          </label>
          <Button type="submit" variant="secondary">
            Apply range
          </Button>
          {error && (
            <p role="alert" className="w-full text-sm text-red-600 dark:text-red-400">
              {error}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
