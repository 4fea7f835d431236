import { describe, expect, it } from "vitest";
import type { Evaluation } from "@/hooks/evaluations/keys";
import { bestMode, leftOut, modesOf } from "./metrics";

const metrics = (ndcg: number) => ({
  "ndcg@10": ndcg,
  "recall@100": 1,
  "mrr@10": ndcg,
  p50_ms: 12,
  p95_ms: 30,
});

const run = (overrides: Partial<Evaluation> = {}): Evaluation => ({
  id: "e1",
  name: null,
  collection_ids: null,
  modes: ["hybrid", "fulltext", "semantic"],
  cases: 4,
  skipped_cases: 0,
  ignored_judgments: 0,
  metrics: { hybrid: metrics(0.72), fulltext: metrics(0.69), semantic: metrics(0.66) },
  created_by: "u1",
  created_at: "2026-12-05T00:00:00Z",
  ...overrides,
});

describe("evaluation metrics", () => {
  it("lists the modes in a fixed order and picks the best nDCG@10", () => {
    expect(modesOf(run()).map(([mode]) => mode)).toEqual(["fulltext", "semantic", "hybrid"]);
    expect(bestMode(run())).toBe("hybrid");
    expect(modesOf(run({ metrics: { semantic: metrics(0.5) } })).map(([m]) => m)).toEqual([
      "semantic",
    ]);
  });

  it("has no best mode when nothing was scored or the top modes tie", () => {
    expect(bestMode(run({ metrics: { hybrid: metrics(0), fulltext: metrics(0) } }))).toBeNull();
    expect(bestMode(run({ metrics: { hybrid: metrics(1), fulltext: metrics(1) } }))).toBeNull();
  });

  it("says what a run left out, and nothing when it scored everything", () => {
    expect(leftOut(run())).toBeNull();
    expect(leftOut(run({ skipped_cases: 1, ignored_judgments: 1 }))).toBe(
      "1 of 4 cases had no relevant document you can search and were not scored; 1 judged document was not found among the indexed documents you can read and left out.",
    );
  });
});
