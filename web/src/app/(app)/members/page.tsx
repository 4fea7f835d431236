"use client";

import { InvitationList } from "@/components/Members/InvitationList";
import { MemberList } from "@/components/Members/MemberList";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useOrganizations } from "@/hooks/organizations/queries";
import { isAdmin } from "@/stores/organizations";

export default function MembersPage() {
  const { current } = useOrganizations();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Members</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Invite people, resend or revoke invitations, change what people can do, or remove them.
        </p>
      </div>
      {!current ? (
        <Skeleton className="h-40" />
      ) : isAdmin(current.role) ? (
        <>
          <MemberList organization={current} />
          <InvitationList organization={current} />
        </>
      ) : (
        <EmptyState title="Only admins manage members">
          Ask an owner or admin of {current.name} for changes.
        </EmptyState>
      )}
    </div>
  );
}
