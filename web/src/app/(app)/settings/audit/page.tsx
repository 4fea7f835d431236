"use client";

import { AuditLog } from "@/components/Audit/AuditLog";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useOrganizations } from "@/hooks/organizations/queries";
import { useAuthStore } from "@/stores/auth";
import { isAdmin } from "@/stores/organizations";

export default function AuditPage() {
  const { current } = useOrganizations();
  const userId = useAuthStore((state) => state.user?.id);
  if (!current) return <Skeleton className="h-40" />;
  if (!isAdmin(current.role)) {
    return (
      <EmptyState title="Only admins read the audit log">
        Ask an owner or admin of {current.name} what was done.
      </EmptyState>
    );
  }
  return <AuditLog orgId={current.id} userId={userId} />;
}
