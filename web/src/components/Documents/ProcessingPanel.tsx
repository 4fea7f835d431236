"use client";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import type { DocumentRead } from "@/hooks/documents/keys";
import { useReindexDocument } from "@/hooks/documents/mutations";
import { StatusBadge } from "./StatusBadge";
import { failureMessage, formatDuration, redactionSummary, stepDuration, stepLabel } from "./steps";

export function ProcessingPanel({
  document,
  canEdit,
}: {
  document: DocumentRead;
  canEdit: boolean;
}) {
  const reindex = useReindexDocument();
  const steps = document.steps ?? [];
  const facts = [
    ["Pages", document.page_count],
    ["Passages", document.chunk_count],
    ["Language", document.language],
  ] as const;
  const redacted = redactionSummary(document.redactions);
  return (
    <Card
      title="Processing"
      description="Sift extracts the text, splits it into passages and indexes them for search."
      actions={<StatusBadge status={document.status} />}
    >
      <div className="space-y-4">
        {document.status === "failed" && (
          <Alert>
            <span data-testid="failure-message">{failureMessage(document.error)}</span>
          </Alert>
        )}
        {canEdit && document.status === "failed" && (
          <Button onClick={() => reindex.mutate(document.id)} loading={reindex.isPending}>
            Retry
          </Button>
        )}
        <dl className="grid grid-cols-3 gap-3 text-sm">
          {facts.map(([label, value]) => (
            <div key={label}>
              <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
              <dd className="font-medium">{value ?? "—"}</dd>
            </div>
          ))}
        </dl>
        {redacted && (
          <p className="text-sm" data-testid="redactions">
            <span className="text-slate-500 dark:text-slate-400">
              Personal data replaced in the search index:{" "}
            </span>
            {redacted}
          </p>
        )}
        {steps.length > 0 && (
          <table className="w-full text-sm">
            <caption className="sr-only">Processing steps and their timings</caption>
            <thead>
              <tr className="text-left text-xs text-slate-500 dark:text-slate-400">
                <th scope="col" className="pb-1 font-medium">
                  Step
                </th>
                <th scope="col" className="pb-1 text-right font-medium">
                  Took
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
              {steps.map((step) => (
                <tr key={step.name} data-testid="processing-step">
                  <td className="py-1.5">
                    {stepLabel(step.name)}
                    {step.note && (
                      <p
                        className="text-xs text-slate-500 dark:text-slate-400"
                        data-testid="processing-step-note"
                      >
                        {step.note}
                      </p>
                    )}
                  </td>
                  <td className="py-1.5 text-right tabular-nums">
                    {step.finished_at || step.duration_ms != null
                      ? formatDuration(stepDuration(step))
                      : "running…"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </Card>
  );
}
