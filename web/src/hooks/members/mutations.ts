"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Role } from "@/stores/organizations";
import { memberKeys, type InvitationCreate, type Member } from "./keys";

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
  return useMutation({
    mutationFn: (body: InvitationCreate) =>
      unwrap(
        api.POST("/api/orgs/{org_id}/invitations", { params: { path: { org_id: orgId } }, body }),
      ),
  });
}
