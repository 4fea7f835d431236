"use client";

import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Skeleton } from "@/components/ui/Skeleton";
import { useEvaluations } from "@/hooks/evaluations/queries";
import { errorText } from "@/lib/api/problem";
import { formatDate } from "@/lib/format";
import { MODE_LABELS, MODES, score } from "./metrics";

const cell = "px-3 py-2 text-right tabular-nums whitespace-nowrap";

/** Every run of the organization, newest first: nDCG@10 · Recall@100 · MRR@10 per mode. */
export function RunHistory() {
  const runs = useEvaluations();
  return (
    <Card
      title="Runs over time"
      description="Each cell reads nDCG@10 · Recall@100 · MRR@10; newest first."
    >
      {runs.isPending ? (
        <Skeleton className="h-24" />
      ) : runs.error ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {errorText(runs.error)}
        </p>
      ) : !runs.items?.length ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No run yet.</p>
      ) : (
        <div className="space-y-3">
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="evaluation-history">
              <caption className="sr-only">Evaluation runs</caption>
              <thead className="text-xs uppercase text-slate-600 dark:text-slate-400">
                <tr>
                  <th scope="col" className="px-3 py-2 text-left">
                    Run
                  </th>
                  <th scope="col" className={cell}>
                    Cases
                  </th>
                  {MODES.map((mode) => (
                    <th key={mode} scope="col" className={cell}>
                      {MODE_LABELS[mode]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {runs.items.map((run) => (
                  <tr key={run.id} data-testid="evaluation-run">
                    <th scope="row" className="px-3 py-2 text-left font-normal">
                      <span className="block font-medium">{run.name ?? "Unnamed run"}</span>
                      <span className="text-xs text-slate-600 dark:text-slate-400">
                        {formatDate(run.created_at)}
                      </span>
                    </th>
                    <td className={cell}>{run.cases - run.skipped_cases}</td>
                    {MODES.map((mode) => {
                      const metrics = run.metrics[mode];
                      return (
                        <td key={mode} className={cell} data-mode={mode}>
                          {metrics
                            ? [metrics["ndcg@10"], metrics["recall@100"], metrics["mrr@10"]]
                                .map(score)
                                .join(" · ")
                            : "—"}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {runs.hasNextPage && (
            <Button
              variant="secondary"
              loading={runs.isFetchingNextPage}
              onClick={() => void runs.fetchNextPage()}
            >
              Show older runs
            </Button>
          )}
        </div>
      )}
    </Card>
  );
}
