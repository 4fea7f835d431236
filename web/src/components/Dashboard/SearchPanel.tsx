"use client";

import type { AnalyticsRange, SearchAnalytics } from "@/hooks/analytics/keys";
import {
  formatCount,
  formatPercent,
  isEmpty,
  measuredOnly,
  mergeSeries,
  ratio,
  total,
} from "@/lib/analyticsSeries";
import { Panel, Row, ScrollTable } from "./Panel";
import { TimeChart } from "./TimeChart";

const MODES = [
  { key: "hybrid", label: "Hybrid", color: "var(--chart-1)" },
  { key: "fulltext", label: "Full text", color: "var(--chart-2)" },
  { key: "semantic", label: "Semantic", color: "var(--chart-3)" },
] as const;

const modeLabel = (mode: string) => MODES.find((known) => known.key === mode)?.label ?? mode;

/** Searches by mode and the share without results; the modes and the top queries. */
export function SearchPanel({
  range,
  data,
  error,
}: {
  range: AnalyticsRange;
  data: SearchAnalytics | undefined;
  error: unknown;
}) {
  return (
    <Panel
      title="Search"
      description="Searches by mode, how many found nothing, and what people look for."
      area="search"
      range={range}
      data={data}
      error={error}
      isEmpty={(search) => isEmpty({ ...search.series })}
    >
      {({ series, modes, top_queries: topQueries }) => {
        const rows = mergeSeries({
          hybrid: series.hybrid,
          fulltext: series.fulltext,
          semantic: series.semantic,
          zero_result_rate: measuredOnly(series.zero_result_rate, series.searches),
        });
        const zeroRate = ratio(total(series.zero_results), total(series.searches));
        return (
          <>
            <TimeChart
              label="Searches over time"
              rows={rows}
              interval={range.interval}
              rightFormat={(value) => formatPercent(value)}
              series={[
                ...MODES.map((mode) => ({
                  key: mode.key,
                  label: mode.label,
                  color: mode.color,
                  kind: "bar" as const,
                  stack: "modes",
                  summary: formatCount(total(series[mode.key])),
                })),
                {
                  key: "zero_result_rate" as const,
                  label: "Without results",
                  color: "var(--chart-bad)",
                  kind: "line" as const,
                  axis: "right" as const,
                  summary: formatPercent(zeroRate),
                  format: (value: number) => formatPercent(value),
                },
              ]}
            />
            <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="search-clicks">
              {formatCount(total(series.clicks))} result clicks in{" "}
              {formatCount(total(series.searches))} searches.
            </p>
            <ScrollTable
              label="Searches by mode"
              head={["Mode", "Searches", "Without results", "Share without"]}
            >
              {modes.map((mode) => (
                <Row
                  key={mode.mode}
                  testId="mode-row"
                  cells={[
                    modeLabel(mode.mode),
                    formatCount(mode.searches),
                    formatCount(mode.zero_results),
                    formatPercent(ratio(mode.zero_results, mode.searches)),
                  ]}
                />
              ))}
            </ScrollTable>
            {topQueries.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">
                Top queries show a query once three or more people searched it in the range; none
                did yet.
              </p>
            ) : (
              <ScrollTable
                label="Top queries"
                head={["Query", "Searches", "People", "Without results"]}
              >
                {topQueries.map((query) => (
                  <Row
                    key={query.query}
                    testId="top-query"
                    cells={[
                      query.query,
                      formatCount(query.searches),
                      formatCount(query.users),
                      formatCount(query.zero_results),
                    ]}
                  />
                ))}
              </ScrollTable>
            )}
          </>
        );
      }}
    </Panel>
  );
}
