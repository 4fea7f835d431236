"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { evaluationKeys } from "./keys";

export type EvaluationCreate = components["schemas"]["EvaluationCreate"];

/** Run a golden set in every mode (the answer comes when the run is over); the history
 * asks again. Errors go to the form that called it. */
export function useRunEvaluation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: EvaluationCreate) => unwrap(api.POST("/api/search/evaluations", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: evaluationKeys.list() }),
  });
}
