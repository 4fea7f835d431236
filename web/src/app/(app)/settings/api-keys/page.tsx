"use client";

import { ApiKeyList } from "@/components/Settings/ApiKeyList";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useOrganizations } from "@/hooks/organizations/queries";
import { isAdmin } from "@/stores/organizations";

export default function ApiKeysPage() {
  const { current } = useOrganizations();
  if (!current) return <Skeleton className="h-40" />;
  if (!isAdmin(current.role)) {
    return (
      <EmptyState title="Only admins manage API keys">
        Ask an owner or admin of {current.name} to create one.
      </EmptyState>
    );
  }
  return <ApiKeyList orgId={current.id} />;
}
