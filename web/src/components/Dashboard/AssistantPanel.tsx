"use client";

import type { AnalyticsRange, AssistantAnalytics } from "@/hooks/analytics/keys";
import {
  formatCount,
  formatMs,
  formatPercent,
  formatUsd,
  isEmpty,
  measuredOnly,
  mergeSeries,
  total,
} from "@/lib/analyticsSeries";
import { Panel, Row, ScrollTable } from "./Panel";
import { Stat, StatGrid } from "./Stat";
import { TimeChart } from "./TimeChart";

/** AI answers: by provider with failovers, latency percentiles, tokens, cost, feedback. */
export function AssistantPanel({
  range,
  data,
  error,
}: {
  range: AnalyticsRange;
  data: AssistantAnalytics | undefined;
  error: unknown;
}) {
  return (
    <Panel
      title="AI answers"
      description="Answers and summaries by provider, how long they took, what they cost, and what people thought of them."
      area="assistant"
      range={range}
      data={data}
      error={error}
      isEmpty={(assistant) => isEmpty({ ...assistant.series })}
    >
      {({ series, providers, latency, feedback }) => {
        const tokens = total(series.prompt_tokens) + total(series.completion_tokens);
        return (
          <>
            <StatGrid label="AI answers over the range">
              <Stat
                id="latency-p50"
                label="Latency p50"
                value={latency.p50_ms}
                display={formatMs(latency.p50_ms)}
              />
              <Stat
                id="latency-p95"
                label="Latency p95"
                value={latency.p95_ms}
                display={formatMs(latency.p95_ms)}
              />
              <Stat id="tokens" label="Tokens" value={tokens} display={formatCount(tokens)} />
              <Stat
                id="thumbs-up"
                label="Thumbs up"
                value={feedback.up}
                display={formatCount(feedback.up)}
                hint={
                  feedback.up_ratio === null
                    ? undefined
                    : `${formatPercent(feedback.up_ratio)} helpful`
                }
              />
              <Stat
                id="thumbs-down"
                label="Thumbs down"
                value={feedback.down}
                display={formatCount(feedback.down)}
              />
            </StatGrid>
            <TimeChart
              label="Answers and failovers over time"
              rows={mergeSeries({ answers: series.answers, failovers: series.failovers })}
              interval={range.interval}
              series={[
                {
                  key: "answers",
                  label: "Answers",
                  color: "var(--chart-1)",
                  kind: "bar",
                  summary: formatCount(total(series.answers)),
                },
                {
                  key: "failovers",
                  label: "Failovers",
                  color: "var(--chart-bad)",
                  kind: "line",
                  summary: formatCount(total(series.failovers)),
                },
              ]}
            />
            <ScrollTable
              label="Answers by provider"
              head={["Provider and model", "Answers", "Failovers", "Tokens", "Cost"]}
            >
              {providers.map((row) => (
                <Row
                  key={`${row.provider}/${row.model}`}
                  testId="provider-row"
                  cells={[
                    `${row.provider} · ${row.model}`,
                    formatCount(row.answers),
                    formatCount(row.failovers),
                    formatCount(row.prompt_tokens + row.completion_tokens),
                    formatUsd(row.cost),
                  ]}
                />
              ))}
            </ScrollTable>
            <TimeChart
              label="Latency over time"
              rows={mergeSeries({
                p50: measuredOnly(series.latency_p50, series.answers),
                p95: measuredOnly(series.latency_p95, series.answers),
              })}
              interval={range.interval}
              series={[
                {
                  key: "p50",
                  label: "p50",
                  color: "var(--chart-1)",
                  kind: "line",
                  summary: formatMs(latency.p50_ms),
                  format: formatMs,
                },
                {
                  key: "p95",
                  label: "p95",
                  color: "var(--chart-3)",
                  kind: "line",
                  summary: formatMs(latency.p95_ms),
                  format: formatMs,
                },
              ]}
            />
            <TimeChart
              label="Tokens and cost over time"
              rows={mergeSeries({
                prompt: series.prompt_tokens,
                completion: series.completion_tokens,
                cost: series.cost,
              })}
              interval={range.interval}
              rightFormat={formatUsd}
              series={[
                {
                  key: "prompt",
                  label: "Prompt tokens",
                  color: "var(--chart-2)",
                  kind: "bar",
                  stack: "tokens",
                  summary: formatCount(total(series.prompt_tokens)),
                },
                {
                  key: "completion",
                  label: "Completion tokens",
                  color: "var(--chart-5)",
                  kind: "bar",
                  stack: "tokens",
                  summary: formatCount(total(series.completion_tokens)),
                },
                {
                  key: "cost",
                  label: "Cost",
                  color: "var(--chart-3)",
                  kind: "line",
                  axis: "right",
                  summary: formatUsd(total(series.cost)),
                  format: formatUsd,
                },
              ]}
            />
          </>
        );
      }}
    </Panel>
  );
}
