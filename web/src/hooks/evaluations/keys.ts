import type { components } from "@/lib/api/schema";

export type Evaluation = components["schemas"]["EvaluationRead"];
export type ModeMetrics = components["schemas"]["ModeMetrics"];

export const evaluationKeys = {
  all: ["evaluations"] as const,
  list: () => [...evaluationKeys.all, "list"] as const,
};
