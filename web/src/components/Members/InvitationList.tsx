"use client";

import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Skeleton } from "@/components/ui/Skeleton";
import { useResendInvitation, useRevokeInvitation } from "@/hooks/members/mutations";
import { useInvitations } from "@/hooks/members/queries";
import { errorText } from "@/lib/api/problem";
import { formatDate } from "@/lib/format";
import type { Organization } from "@/stores/organizations";
import { toastSuccess } from "@/stores/toast";
import { roleLabel } from "./roles";

/** Invitations nobody accepted yet: mail one again, or withdraw it. */
export function InvitationList({ organization }: { organization: Organization }) {
  const orgId = organization.id;
  const owner = organization.role === "owner";
  const invitations = useInvitations(orgId);
  const { data } = invitations;
  const error = errorText(invitations.error);
  const resend = useResendInvitation(orgId);
  const revoke = useRevokeInvitation(orgId);
  const now = Date.now();

  return (
    <Card
      title="Pending invitations"
      description="Invitations nobody has accepted yet. A resent invitation gets a new link; the old one stops working."
    >
      {error && <Alert>{error}</Alert>}
      {data === undefined && !error ? (
        <Skeleton className="h-14" />
      ) : data?.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No pending invitations.</p>
      ) : (
        <ul
          aria-label="Pending invitations"
          className="divide-y divide-slate-200 dark:divide-slate-800"
        >
          {(data ?? []).map((invitation) => {
            const expired = Date.parse(invitation.expires_at) <= now;
            // Only owners touch an invitation to be an owner.
            const editable = owner || invitation.role !== "owner";
            return (
              <li
                key={invitation.id}
                data-testid="invitation-row"
                className="flex flex-col gap-3 py-3 sm:flex-row sm:items-center sm:justify-between"
              >
                <div className="min-w-0">
                  <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                    <span className="truncate">{invitation.email}</span>
                    <Badge>{roleLabel(invitation.role)}</Badge>
                    {expired && <Badge tone="warning">Expired</Badge>}
                  </p>
                  <p className="text-xs text-slate-500 dark:text-slate-400">
                    Invited {formatDate(invitation.created_at)} · {expired ? "expired" : "expires"}{" "}
                    {formatDate(invitation.expires_at)}
                  </p>
                </div>
                {editable && (
                  <div className="flex items-center gap-2">
                    <Button
                      variant="secondary"
                      className="h-8 px-3"
                      aria-label={`Resend the invitation to ${invitation.email}`}
                      loading={resend.isPending && resend.variables === invitation.id}
                      onClick={() =>
                        resend.mutate(invitation.id, {
                          onSuccess: () =>
                            toastSuccess(`Invitation sent again to ${invitation.email}.`),
                        })
                      }
                    >
                      Resend
                    </Button>
                    <ConfirmDialog
                      title={`Revoke the invitation to ${invitation.email}?`}
                      description="The link in the e-mail stops working. You can invite them again later."
                      confirmLabel="Revoke invitation"
                      onConfirm={() =>
                        revoke
                          .mutateAsync(invitation.id)
                          .then(() => toastSuccess("Invitation revoked."))
                          .catch(() => undefined /* the hook showed the error */)
                      }
                      trigger={(open) => (
                        <Button
                          variant="ghost"
                          className="h-8 px-3"
                          aria-label={`Revoke the invitation to ${invitation.email}`}
                          onClick={open}
                        >
                          Revoke
                        </Button>
                      )}
                    />
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
