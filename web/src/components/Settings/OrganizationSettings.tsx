"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import {
  DeleteOrganizationCard,
  OrganizationDeletionProgress,
} from "@/components/Settings/DeleteOrganizationCard";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useOrganizations } from "@/hooks/organizations/queries";

/** Organization settings: the danger zone, then a deletion's progress (`?request=<id>`:
 * the app moves to another organization meanwhile, which remounts the page). */
export function OrganizationSettings() {
  const { current } = useOrganizations();
  const params = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const requestId = params.get("request");
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
  return (
    <DeleteOrganizationCard
      organization={current}
      onDeleted={(id) => router.replace(`${pathname}?request=${encodeURIComponent(id)}`)}
    />
  );
}
