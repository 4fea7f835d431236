import type { AnalyticsInterval, Point } from "@/hooks/analytics/keys";

/** One chart row per bucket: its start (`t`) and the value of each named series (null: a
 * gap in the line, where there was nothing to measure). */
export type SeriesRow<K extends string> = { t: string } & Record<K, number | null>;

/** A series' points that may be gaps. */
export interface GapPoint {
  t: string;
  value: number | null;
}

/**
 * The API's series (one list of points each) as the rows a chart plots: every bucket any
 * series has, in time order, with 0 where a series has no point.
 */
export function mergeSeries<K extends string>(
  series: Record<K, (Point | GapPoint)[]>,
): SeriesRow<K>[] {
  const names = Object.keys(series) as K[];
  const rows = new Map<number, SeriesRow<K>>();
  for (const name of names) {
    for (const point of series[name]) {
      const at = Date.parse(point.t);
      let row = rows.get(at);
      if (!row) {
        row = { t: new Date(at).toISOString() } as SeriesRow<K>;
        for (const other of names) (row as Record<string, number | string | null>)[other] = 0;
        rows.set(at, row);
      }
      (row as Record<string, number | string | null>)[name] = point.value;
    }
  }
  return [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
}

/**
 * A rate or a time is only measured where something happened: `points` without a value
 * where `basis` (searches, answers) has none in the same bucket, so a chart draws a gap
 * rather than a 0 the API fills in.
 */
export function measuredOnly(points: Point[], basis: Point[]): GapPoint[] {
  const counted = new Set(
    basis.filter((point) => point.value > 0).map((point) => Date.parse(point.t)),
  );
  return points.map((point) => ({
    t: point.t,
    value: counted.has(Date.parse(point.t)) ? point.value : null,
  }));
}

/** The sum of a series over the range. */
export const total = (points: Point[]) => points.reduce((sum, point) => sum + point.value, 0);

/** The largest value of a series (for percentiles, which do not add up), or null without points. */
export function peak(points: Point[]): number | null {
  return points.length === 0 ? null : Math.max(...points.map((point) => point.value));
}

/** `part / whole` over the range, or null when there is nothing to divide. */
export const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/** No series has a point: the organization did nothing in the range. */
export const isEmpty = (series: Record<string, Point[]>) =>
  Object.values(series).every((points) => points.length === 0);

const dayLabel = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", timeZone: "UTC" });
const hourLabel = new Intl.DateTimeFormat("en", {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

/** A bucket's start as an axis reads it: "Dec 4" by the day, "14:00" by the hour (UTC). */
export function bucketLabel(t: string, interval: AnalyticsInterval): string {
  return (interval === "hour" ? hourLabel : dayLabel).format(new Date(t));
}

const fullLabel = new Intl.DateTimeFormat("en", {
  month: "short",
  day: "numeric",
  year: "numeric",
  timeZone: "UTC",
});

/** A bucket as a tooltip names it: "Dec 4, 2026" or "Dec 4, 2026, 14:00 UTC". */
export function bucketTitle(t: string, interval: AnalyticsInterval): string {
  const day = fullLabel.format(new Date(t));
  return interval === "hour" ? `${day}, ${hourLabel.format(new Date(t))} UTC` : day;
}

const count = new Intl.NumberFormat("en");
const usd = new Intl.NumberFormat("en", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

export const formatCount = (value: number) => count.format(value);
export const formatUsd = (value: number) => usd.format(value);
export const formatPercent = (value: number | null) =>
  value === null ? "–" : `${Math.round(value * 1000) / 10}%`;
export const formatMs = (value: number | null) =>
  value === null ? "–" : value >= 1000 ? `${Math.round(value / 100) / 10} s` : `${value} ms`;
