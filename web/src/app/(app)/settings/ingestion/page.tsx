"use client";

import { IngestionMonitor } from "@/components/Ingestion/IngestionMonitor";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useOrganizations } from "@/hooks/organizations/queries";
import { isAdmin } from "@/stores/organizations";

export default function IngestionPage() {
  const { current } = useOrganizations();
  if (!current) return <Skeleton className="h-40" />;
  if (!isAdmin(current.role)) {
    return (
      <EmptyState title="Only admins watch indexing">
        Ask an owner or admin of {current.name} about a document that failed.
      </EmptyState>
    );
  }
  return <IngestionMonitor />;
}
