"use client";

import { failureLabel } from "@/components/Ingestion/failures";
import type { AnalyticsRange, IngestionAnalytics } from "@/hooks/analytics/keys";
import { formatCount, isEmpty, mergeSeries, total } from "@/lib/analyticsSeries";
import { formatBytes } from "@/lib/format";
import { Panel, Row, ScrollTable } from "./Panel";
import { TimeChart } from "./TimeChart";

/** What was uploaded, indexed and failed (and why), and the storage it takes. */
export function IngestionPanel({
  range,
  data,
  error,
}: {
  range: AnalyticsRange;
  data: IngestionAnalytics | undefined;
  error: unknown;
}) {
  return (
    <Panel
      title="Ingestion"
      description="Uploads, what was indexed and what failed, by reason."
      area="ingestion"
      range={range}
      data={data}
      error={error}
      isEmpty={(ingestion) => isEmpty({ ...ingestion.series })}
    >
      {({ series, failure_reasons: reasons, storage_bytes: storage }) => (
        <>
          <TimeChart
            label="Ingestion outcomes over time"
            rows={mergeSeries({
              uploads: series.uploads,
              indexed: series.indexed,
              failed: series.failed,
            })}
            interval={range.interval}
            series={[
              {
                key: "indexed",
                label: "Indexed",
                color: "var(--chart-2)",
                kind: "bar",
                stack: "outcome",
                summary: formatCount(total(series.indexed)),
              },
              {
                key: "failed",
                label: "Failed",
                color: "var(--chart-bad)",
                kind: "bar",
                stack: "outcome",
                summary: formatCount(total(series.failed)),
              },
              {
                key: "uploads",
                label: "Uploads",
                color: "var(--chart-1)",
                kind: "line",
                summary: formatCount(total(series.uploads)),
              },
            ]}
          />
          <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="storage-used">
            Storage used at the end of the range: {formatBytes(storage)}.
          </p>
          {reasons.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Nothing failed to index in this range.
            </p>
          ) : (
            <ScrollTable label="Failures by reason" head={["Reason", "Documents"]}>
              {reasons.map((reason) => (
                <Row
                  key={reason.code}
                  testId="failure-reason"
                  cells={[failureLabel(reason.code), formatCount(reason.count)]}
                />
              ))}
            </ScrollTable>
          )}
        </>
      )}
    </Panel>
  );
}
