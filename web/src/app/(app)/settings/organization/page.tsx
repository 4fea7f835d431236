"use client";

import { useState } from "react";
import {
  DeleteOrganizationCard,
  OrganizationDeletionProgress,
} from "@/components/Settings/DeleteOrganizationCard";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useOrganizations } from "@/hooks/organizations/queries";

export default function OrganizationSettingsPage() {
  const { current } = useOrganizations();
  // Kept here: once deleted, the organization is no longer the current one.
  const [requestId, setRequestId] = useState<string | null>(null);
  if (requestId) return <OrganizationDeletionProgress requestId={requestId} />;
  if (!current) return <Skeleton className="h-64" />;
  if (current.personal) {
    return (
      <EmptyState title="Your personal organization">
        It goes with your account: to delete it, delete your account under Privacy.
      </EmptyState>
    );
  }
  if (current.role !== "owner") {
    return (
      <EmptyState title="Only owners delete an organization">
        Ask an owner of {current.name} if it should be deleted.
      </EmptyState>
    );
  }
  return <DeleteOrganizationCard organization={current} onDeleted={setRequestId} />;
}
