"use client";

import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { AnalyticsInterval } from "@/hooks/analytics/keys";
import { bucketLabel, bucketTitle, type SeriesRow } from "@/lib/analyticsSeries";

export interface SeriesSpec<K extends string> {
  key: K;
  label: string;
  /** A theme colour: `var(--chart-*)` from globals.css, so the chart follows light and dark. */
  color: string;
  kind: "line" | "bar";
  /** Bars with the same stack are piled up. */
  stack?: string;
  /** Rates and times go on a second axis on the right. */
  axis?: "left" | "right";
  /** What the legend says of the whole range (a total, a rate, a peak). */
  summary: string;
  /** How a value reads in the tooltip. */
  format?: (value: number) => string;
}

const AXIS_TICK = { fill: "var(--chart-axis)", fontSize: 12 };

/**
 * A series over time: bars and lines on one or two axes, in the theme's colours. The legend
 * is HTML under the chart, with what each series amounts to over the range, so the numbers
 * are there for screen readers and narrow screens too.
 */
export function TimeChart<K extends string>({
  label,
  rows,
  series,
  interval,
  rightFormat,
  height = 220,
}: {
  label: string;
  rows: SeriesRow<K>[];
  series: SeriesSpec<K>[];
  interval: AnalyticsInterval;
  rightFormat?: (value: number) => string;
  height?: number;
}) {
  const right = series.some((spec) => spec.axis === "right");
  const formats = new Map(series.map((spec) => [spec.key as string, spec.format]));
  return (
    <figure aria-label={label} className="min-w-0">
      <div style={{ height }} className="w-full min-w-0">
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height }}>
          <ComposedChart
            data={rows}
            margin={{ top: 8, right: right ? 4 : 8, bottom: 0, left: -12 }}
            aria-label={label}
          >
            <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
            <XAxis
              dataKey="t"
              tickFormatter={(t: string) => bucketLabel(t, interval)}
              tick={AXIS_TICK}
              stroke="var(--chart-grid)"
              minTickGap={16}
            />
            <YAxis
              yAxisId="left"
              allowDecimals={false}
              tick={AXIS_TICK}
              stroke="var(--chart-grid)"
              width={48}
            />
            {right && (
              <YAxis
                yAxisId="right"
                orientation="right"
                tick={AXIS_TICK}
                stroke="var(--chart-grid)"
                tickFormatter={rightFormat}
                width={52}
              />
            )}
            <Tooltip
              cursor={{ fill: "var(--chart-cursor)", stroke: "var(--chart-grid)" }}
              labelFormatter={(t) => bucketTitle(String(t), interval)}
              formatter={(value, name, item) => {
                const format = formats.get(String(item.dataKey));
                const number = Number(value);
                return [format ? format(number) : String(number), name];
              }}
              contentStyle={{
                background: "var(--chart-tooltip-bg)",
                borderColor: "var(--chart-tooltip-border)",
                borderRadius: 8,
                color: "var(--chart-tooltip-text)",
                fontSize: 12,
              }}
              labelStyle={{ color: "var(--chart-tooltip-text)", fontWeight: 600 }}
              itemStyle={{ color: "var(--chart-tooltip-text)" }}
            />
            {series.map((spec) =>
              spec.kind === "bar" ? (
                <Bar
                  key={spec.key}
                  dataKey={spec.key}
                  name={spec.label}
                  yAxisId={spec.axis ?? "left"}
                  stackId={spec.stack}
                  fill={spec.color}
                  isAnimationActive={false}
                  maxBarSize={32}
                />
              ) : (
                <Line
                  key={spec.key}
                  dataKey={spec.key}
                  name={spec.label}
                  yAxisId={spec.axis ?? "left"}
                  type="linear"
                  stroke={spec.color}
                  strokeWidth={2}
                  // A lone measured bucket between gaps would otherwise not show.
                  dot={{ r: 2.5, fill: spec.color, strokeWidth: 0 }}
                  isAnimationActive={false}
                />
              ),
            )}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <figcaption>
        <ul className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {series.map((spec) => (
            <li
              key={spec.key}
              className="flex items-center gap-1.5 text-slate-700 dark:text-slate-300"
              data-testid={`legend-${spec.key}`}
            >
              <span
                aria-hidden
                className="inline-block h-2.5 w-2.5 rounded-sm"
                style={{ background: spec.color }}
              />
              {spec.label}:{" "}
              <span className="font-semibold tabular-nums text-slate-900 dark:text-slate-50">
                {spec.summary}
              </span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
