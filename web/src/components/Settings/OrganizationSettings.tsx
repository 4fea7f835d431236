"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import {
  DeleteOrganizationCard,
  OrganizationDeletionProgress,
} from "@/components/Settings/DeleteOrganizationCard";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { AiSettingsCard } from "@/components/OrgSettings/AiSettingsCard";
import { OrganizationNameCard } from "@/components/OrgSettings/OrganizationNameCard";
import { RedactionDefaultCard } from "@/components/OrgSettings/RedactionDefaultCard";
import { useOrganizations } from "@/hooks/organizations/queries";
import { isAdmin } from "@/stores/organizations";

/** Organization settings: name, AI, defaults of new collections, then the danger zone and a
 * deletion's progress (`?request=<id>`: the app moves to another organization meanwhile,
 * which remounts the page). */
export function OrganizationSettings() {
  const { current } = useOrganizations();
  const params = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const requestId = params.get("request");
  if (requestId) return <OrganizationDeletionProgress requestId={requestId} />;
  if (!current) return <Skeleton className="h-64" />;
  if (!isAdmin(current.role)) {
    return (
      <EmptyState title="Only admins manage the organization">
        Ask an owner or admin of {current.name} to change its settings.
      </EmptyState>
    );
  }
  return (
    <>
      <OrganizationNameCard key={`${current.id}-${current.name}`} organization={current} />
      <AiSettingsCard />
      <RedactionDefaultCard />
      {current.personal ? (
        <EmptyState title="Your personal organization">
          It goes with your account: to delete it, delete your account under Privacy.
        </EmptyState>
      ) : current.role !== "owner" ? (
        <EmptyState title="Only owners delete an organization">
          Ask an owner of {current.name} if it should be deleted.
        </EmptyState>
      ) : (
        <DeleteOrganizationCard
          organization={current}
          onDeleted={(id) => router.replace(`${pathname}?request=${encodeURIComponent(id)}`)}
        />
      )}
    </>
  );
}
