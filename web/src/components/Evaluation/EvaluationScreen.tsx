"use client";

import { useState } from "react";
import { Card } from "@/components/ui/Card";
import type { Evaluation } from "@/hooks/evaluations/keys";
import { formatDate } from "@/lib/format";
import { GoldenSetForm } from "./GoldenSetForm";
import { leftOut } from "./metrics";
import { MetricsTable } from "./MetricsTable";
import { RunHistory } from "./RunHistory";

/** Retrieval evaluation: run a golden set, read its metrics per mode, compare runs. */
export function EvaluationScreen() {
  const [latest, setLatest] = useState<Evaluation | null>(null);
  const note = latest ? leftOut(latest) : null;
  return (
    <>
      <GoldenSetForm onRun={setLatest} />
      {latest && (
        <Card
          title="Latest run"
          description={`${latest.name ?? "Unnamed run"} · ${formatDate(latest.created_at)} · ${
            latest.cases - latest.skipped_cases
          } of ${latest.cases} cases scored`}
        >
          <MetricsTable evaluation={latest} />
          {note && <p className="mt-3 text-sm text-amber-800 dark:text-amber-200">{note}</p>}
        </Card>
      )}
      <RunHistory />
    </>
  );
}
