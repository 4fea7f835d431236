"use client";

import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { memberKeys } from "./keys";

/** An organization's members (admins can read them); `null` or `enabled: false` waits. */
export function useMembers(orgId: string | null, enabled = true) {
  return useQuery({
    queryKey: memberKeys.list(orgId ?? ""),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/orgs/{org_id}/members", {
          params: { path: { org_id: orgId! }, query: { limit: 100 } },
          signal,
        }),
      ).then((page) => page.items),
    enabled: enabled && orgId !== null,
  });
}

/** The organization's pending invitations (admins), oldest first. */
export function useInvitations(orgId: string) {
  return useQuery({
    queryKey: memberKeys.invitations(orgId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/orgs/{org_id}/invitations", {
          params: { path: { org_id: orgId }, query: { limit: 100 } },
          signal,
        }),
      ).then((page) => page.items),
  });
}
