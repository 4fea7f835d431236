"use client";

import { AnalyticsDashboard } from "@/components/Dashboard/AnalyticsDashboard";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useOrganizations } from "@/hooks/organizations/queries";
import { isAdmin } from "@/stores/organizations";

export default function AnalyticsPage() {
  const { current } = useOrganizations();
  if (!current) return <Skeleton className="h-40" />;
  if (!isAdmin(current.role)) {
    return (
      <EmptyState title="Only admins see analytics">
        Ask an owner or admin of {current.name} how the organization uses Sift.
      </EmptyState>
    );
  }
  return <AnalyticsDashboard orgId={current.id} />;
}
