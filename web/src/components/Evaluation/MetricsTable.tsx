import type { Evaluation } from "@/hooks/evaluations/keys";
import { bestMode, MODE_LABELS, modesOf, score } from "./metrics";

const cell = "px-3 py-2 text-right tabular-nums";

/** One run's metrics, a row per mode; the best nDCG@10 stands out. */
export function MetricsTable({ evaluation }: { evaluation: Evaluation }) {
  const best = bestMode(evaluation);
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="evaluation-metrics">
        <caption className="sr-only">Metrics per search mode</caption>
        <thead className="text-xs uppercase text-slate-600 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-3 py-2 text-left">
              Mode
            </th>
            <th scope="col" className={cell}>
              nDCG@10
            </th>
            <th scope="col" className={cell}>
              Recall@100
            </th>
            <th scope="col" className={cell}>
              MRR@10
            </th>
            <th scope="col" className={cell}>
              p50 ms
            </th>
            <th scope="col" className={cell}>
              p95 ms
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {modesOf(evaluation).map(([mode, metrics]) => (
            <tr key={mode} data-testid="mode-metrics" data-mode={mode}>
              <th scope="row" className="px-3 py-2 text-left font-medium">
                {MODE_LABELS[mode] ?? mode}
                {mode === best && (
                  <span className="ml-2 rounded bg-emerald-100 px-1.5 py-0.5 text-xs font-medium text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
                    best
                  </span>
                )}
              </th>
              <td className={cell}>{score(metrics["ndcg@10"])}</td>
              <td className={cell}>{score(metrics["recall@100"])}</td>
              <td className={cell}>{score(metrics["mrr@10"])}</td>
              <td className={cell}>{Math.round(metrics.p50_ms)}</td>
              <td className={cell}>{Math.round(metrics.p95_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
