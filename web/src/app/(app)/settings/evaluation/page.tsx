"use client";

import { EvaluationScreen } from "@/components/Evaluation/EvaluationScreen";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useOrganizations } from "@/hooks/organizations/queries";
import { isAdmin } from "@/stores/organizations";

export default function EvaluationPage() {
  const { current } = useOrganizations();
  if (!current) return <Skeleton className="h-40" />;
  if (!isAdmin(current.role)) {
    return (
      <EmptyState title="Only admins run evaluations">
        Ask an owner or admin of {current.name} to measure how well search finds your documents.
      </EmptyState>
    );
  }
  return <EvaluationScreen />;
}
