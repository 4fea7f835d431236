import type { Evaluation, ModeMetrics } from "@/hooks/evaluations/keys";

/** The modes in the order the screen shows them. */
export const MODES = ["fulltext", "semantic", "hybrid"] as const;

export const MODE_LABELS: Record<string, string> = {
  fulltext: "Full text",
  semantic: "Semantic",
  hybrid: "Hybrid",
};

/** A run's modes that have metrics, in the screen's order. */
export function modesOf(evaluation: Evaluation): [string, ModeMetrics][] {
  return MODES.filter((mode) => evaluation.metrics[mode] !== undefined).map((mode) => [
    mode,
    evaluation.metrics[mode]!,
  ]);
}

export const score = (value: number) => value.toFixed(3);

/** The mode with the highest nDCG@10; null when none is ahead (a tie, or nothing scored). */
export function bestMode(evaluation: Evaluation): string | null {
  const ranked = modesOf(evaluation).sort(([, a], [, b]) => b["ndcg@10"] - a["ndcg@10"]);
  const [first, second] = ranked;
  if (!first || first[1]["ndcg@10"] <= 0) return null;
  return second && second[1]["ndcg@10"] === first[1]["ndcg@10"] ? null : first[0];
}

/** What the run left out, as a sentence; null when it scored everything. */
export function leftOut(evaluation: Evaluation): string | null {
  const parts: string[] = [];
  if (evaluation.skipped_cases > 0) {
    parts.push(
      `${evaluation.skipped_cases} of ${evaluation.cases} cases had no relevant document you can search and were not scored`,
    );
  }
  if (evaluation.ignored_judgments > 0) {
    parts.push(
      `${evaluation.ignored_judgments} judged ${evaluation.ignored_judgments === 1 ? "document was" : "documents were"} not found among the indexed documents you can read and left out`,
    );
  }
  return parts.length ? `${parts.join("; ")}.` : null;
}
