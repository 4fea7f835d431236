"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Role } from "@/stores/organizations";
import { toastError } from "@/stores/toast";
import { memberKeys, type Invitation, type InvitationCreate, type Member } from "./keys";

export function useChangeMemberRole(orgId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(
        api.PATCH("/api/orgs/{org_id}/members/{user_id}", {
          params: { path: { org_id: orgId, user_id: userId } },
          body: { role },
        }),
      ),
    onSuccess: (updated) =>
      client.setQueryData<Member[]>(memberKeys.list(orgId), (list) =>
        list?.map((member) => (member.user_id === updated.user_id ? updated : member)),
      ),
  });
}

export function useRemoveMember(orgId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(
        api.DELETE("/api/orgs/{org_id}/members/{user_id}", {
          params: { path: { org_id: orgId, user_id: userId } },
        }),
      ),
    onSuccess: (_, userId) =>
      client.setQueryData<Member[]>(memberKeys.list(orgId), (list) =>
        list?.filter((member) => member.user_id !== userId),
      ),
  });
}

export function useInviteMember(orgId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: InvitationCreate) =>
      unwrap(
        api.POST("/api/orgs/{org_id}/invitations", { params: { path: { org_id: orgId } }, body }),
      ),
    // A new invitation replaces a pending one to the same address: the list asks again.
    onSuccess: () => client.invalidateQueries({ queryKey: memberKeys.invitations(orgId) }),
  });
}

/** Mail a pending invitation again (a new link, a new expiry). */
export function useResendInvitation(orgId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(
        api.POST("/api/orgs/{org_id}/invitations/{invitation_id}/resend", {
          params: { path: { org_id: orgId, invitation_id: invitationId } },
        }),
      ),
    onSuccess: (resent) =>
      client.setQueryData<Invitation[]>(memberKeys.invitations(orgId), (list) =>
        list?.map((invitation) => (invitation.id === resent.id ? resent : invitation)),
      ),
    onError: toastError,
  });
}

/** Withdraw a pending invitation: its link stops working. */
export function useRevokeInvitation(orgId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(
        api.DELETE("/api/orgs/{org_id}/invitations/{invitation_id}", {
          params: { path: { org_id: orgId, invitation_id: invitationId } },
        }),
      ),
    onSuccess: (_, invitationId) =>
      client.setQueryData<Invitation[]>(memberKeys.invitations(orgId), (list) =>
        list?.filter((invitation) => invitation.id !== invitationId),
      ),
    onError: toastError,
  });
}
