"use client";

import { Alert } from "@/components/ui/Alert";
import { Card } from "@/components/ui/Card";
import { Skeleton } from "@/components/ui/Skeleton";
import type { IngestionOverview as Overview } from "@/hooks/ingestion/keys";
import { errorText } from "@/lib/api/problem";
import { failureLabel } from "./failures";

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
      <dt className="text-xs font-medium text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900 dark:text-slate-50">
        {value}
      </dd>
      {hint && <dd className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{hint}</dd>}
    </div>
  );
}

/** The queue, documents by status and failures by reason, for the whole organization. */
export function IngestionOverview({ data, error }: { data?: Overview; error: unknown }) {
  const problem = errorText(error);
  return (
    <Card
      title="Indexing at a glance"
      description="Updates every few seconds while documents are waiting or being processed."
    >
      {problem && <Alert>{problem}</Alert>}
      {data === undefined && !problem ? (
        <Skeleton className="h-24" />
      ) : data ? (
        <div className="space-y-4">
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5" data-testid="ingestion-stats">
            <Stat
              label="Queue"
              value={data.queue_depth === null ? "–" : String(data.queue_depth)}
              hint={data.queue_depth === null ? "unavailable" : "tasks waiting"}
            />
            <Stat label="Waiting" value={String(data.counts.uploaded)} />
            <Stat label="Processing" value={String(data.counts.processing)} />
            <Stat label="Indexed" value={String(data.counts.indexed)} />
            <Stat label="Failed" value={String(data.counts.failed)} />
          </dl>
          {data.failure_reasons.length > 0 && (
            <div>
              <h3 className="text-sm font-medium text-slate-800 dark:text-slate-200">
                Failures by reason
              </h3>
              <ul aria-label="Failures by reason" className="mt-2 flex flex-wrap gap-2">
                {data.failure_reasons.map((reason) => (
                  <li
                    key={reason.code}
                    className="rounded-full bg-red-50 px-3 py-1 text-xs text-red-800 dark:bg-red-900/40 dark:text-red-200"
                  >
                    {failureLabel(reason.code)}: {reason.count}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      ) : null}
    </Card>
  );
}
