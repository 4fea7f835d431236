"use client";

import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Select } from "@/components/ui/Select";
import { Skeleton } from "@/components/ui/Skeleton";
import { useChangeMemberRole, useRemoveMember } from "@/hooks/members/mutations";
import { useMembers } from "@/hooks/members/queries";
import { errorText } from "@/lib/api/problem";
import { formatDate } from "@/lib/format";
import { useAuthStore } from "@/stores/auth";
import type { Organization, Role } from "@/stores/organizations";
import { toastError, toastSuccess } from "@/stores/toast";
import { InviteDialog } from "./InviteDialog";
import { roleLabel, ROLES } from "./roles";

export function MemberList({ organization }: { organization: Organization }) {
  const me = useAuthStore((state) => state.user);
  const orgId = organization.id;
  const owner = organization.role === "owner";
  const members = useMembers(orgId);
  const { data } = members;
  const error = errorText(members.error);
  const changeMemberRole = useChangeMemberRole(orgId);
  const removeMember = useRemoveMember(orgId);

  const changeRole = async (userId: string, role: Role) => {
    try {
      const updated = await changeMemberRole.mutateAsync({ userId, role });
      toastSuccess(`${updated.name} is now ${roleLabel(updated.role).toLowerCase()}.`);
    } catch (failure) {
      toastError(failure);
    }
  };

  const remove = async (userId: string) => {
    try {
      await removeMember.mutateAsync(userId);
      toastSuccess("Member removed.");
    } catch (failure) {
      toastError(failure);
    }
  };

  return (
    <Card
      title={`Members of ${organization.name}`}
      description="Everyone here can see the organization's non-restricted collections."
      actions={<InviteDialog orgId={orgId} canInviteOwners={owner} />}
    >
      {error && <Alert>{error}</Alert>}
      {data === undefined && !error ? (
        <div className="space-y-2">
          <Skeleton className="h-14" />
          <Skeleton className="h-14" />
        </div>
      ) : (
        <ul aria-label="Members" className="divide-y divide-slate-200 dark:divide-slate-800">
          {(data ?? []).map((member) => {
            const self = member.user_id === me?.id;
            // Only owners touch owners; nobody demotes or removes themselves here.
            const editable = !self && (owner || member.role !== "owner");
            return (
              <li
                key={member.user_id}
                data-testid="member-row"
                className="flex flex-col gap-3 py-3 sm:flex-row sm:items-center sm:justify-between"
              >
                <div className="min-w-0">
                  <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                    {member.name}
                    {self && <Badge tone="info">You</Badge>}
                  </p>
                  <p className="truncate text-xs text-slate-500 dark:text-slate-400">
                    {member.email} · joined {formatDate(member.joined_at)}
                  </p>
                </div>
                <div className="flex items-center gap-2">
                  {editable ? (
                    <>
                      <div className="w-32">
                        <Select
                          label={`Role of ${member.name}`}
                          hideLabel
                          value={member.role}
                          className="h-8"
                          onChange={(event) =>
                            void changeRole(member.user_id, event.target.value as Role)
                          }
                        >
                          {ROLES.filter((role) => owner || role.value !== "owner").map((role) => (
                            <option key={role.value} value={role.value}>
                              {role.label}
                            </option>
                          ))}
                        </Select>
                      </div>
                      <ConfirmDialog
                        title={`Remove ${member.name}?`}
                        description={`${member.email} loses access to ${organization.name} and its documents at once.`}
                        confirmLabel="Remove member"
                        onConfirm={() => remove(member.user_id)}
                        trigger={(open) => (
                          <Button
                            variant="ghost"
                            className="h-8 px-3"
                            aria-label={`Remove ${member.name}`}
                            onClick={open}
                          >
                            Remove
                          </Button>
                        )}
                      />
                    </>
                  ) : (
                    <Badge>{roleLabel(member.role)}</Badge>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
