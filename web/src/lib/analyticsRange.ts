import type { AnalyticsRange } from "@/hooks/analytics/keys";

/** The date-range picker's choice: a preset, or whole UTC days from `from` to `to` (both included). */
export type RangePreset = "today" | "7d" | "30d" | "custom";

export interface RangeChoice {
  preset: RangePreset;
  /** `YYYY-MM-DD`, for `custom` only. */
  from?: string;
  to?: string;
}

export const PRESETS: { value: RangePreset; label: string }[] = [
  { value: "today", label: "Today" },
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
  { value: "custom", label: "Custom" },
];

const DAY_MS = 86_400_000;
/** The API's limit on a range. */
export const MAX_RANGE_DAYS = 400;
/** Up to two days, the charts go by the hour; the API keeps hours for the last 48 only, so
 * an older range goes by the day. */
const HOURLY_UP_TO_MS = 2 * DAY_MS;
const HOURS_KEPT_MS = 48 * 3_600_000;

/** Midnight UTC of `now`'s day: the roll-ups are kept per UTC day. */
export function utcDayStart(now: Date): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}

/** `YYYY-MM-DD` of a UTC instant, as a date input shows it. */
export const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function parseDay(value: string | undefined): number | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const ms = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March: only a day that reads back the same is one.
  return Number.isNaN(ms) || dayString(ms) !== value ? null : ms;
}

function window(fromMs: number, toMs: number, now: Date): AnalyticsRange {
  const hourly = toMs - fromMs <= HOURLY_UP_TO_MS && fromMs >= now.getTime() - HOURS_KEPT_MS;
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    interval: hourly ? "hour" : "day",
  };
}

export type RangeResult =
  { range: AnalyticsRange; error?: never } | { error: string; range?: never };

/** The query parameters of a choice, or why the API would refuse it (it is then not asked). */
export function rangeFor(choice: RangeChoice, now: Date = new Date()): RangeResult {
  const today = utcDayStart(now);
  const tomorrow = today + DAY_MS;
  switch (choice.preset) {
    case "today":
      return { range: window(today, tomorrow, now) };
    case "7d":
      return { range: window(today - 6 * DAY_MS, tomorrow, now) };
    case "30d":
      return { range: window(today - 29 * DAY_MS, tomorrow, now) };
    case "custom": {
      const from = parseDay(choice.from);
      const to = parseDay(choice.to);
      if (from === null || to === null) return { error: "Choose the first and the last day." };
      if (to < from) return { error: "The last day cannot be before the first." };
      const end = to + DAY_MS;
      if (end - from > MAX_RANGE_DAYS * DAY_MS)
        return { error: `A range spans at most ${MAX_RANGE_DAYS} days.` };
      return { range: window(from, end, now) };
    }
  }
}
