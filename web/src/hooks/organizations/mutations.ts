"use client";

import { useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { acceptToken } from "@/lib/api/session";
import { useOrganizationStore, type Organization } from "@/stores/organizations";
import { authKeys } from "../auth/keys";
import { organizationKeys } from "./keys";

/** Everything cached belongs to one organization, except who the caller is and where they belong. */
function forgetOrganizationData(client: QueryClient): void {
  client.removeQueries({
    predicate: (query) =>
      query.queryKey[0] !== organizationKeys.all[0] && query.queryKey[0] !== authKeys.all[0],
  });
}

async function switchTo(client: QueryClient, orgId: string): Promise<Organization> {
  const switched = await unwrap(
    api.POST("/api/orgs/{org_id}/switch", { params: { path: { org_id: orgId } } }),
  );
  // The new token carries the new organization and role; the session follows on the server.
  acceptToken(switched.access_token, switched.expires_in);
  client.setQueryData<Organization[]>(organizationKeys.list(), (organizations) =>
    (organizations ?? [switched.organization]).map((organization) => ({
      ...organization,
      current: organization.id === switched.organization.id,
    })),
  );
  forgetOrganizationData(client);
  useOrganizationStore.getState().switched();
  return switched.organization;
}

export function useSwitchOrganization() {
  const client = useQueryClient();
  return useMutation({ mutationFn: (orgId: string) => switchTo(client, orgId) });
}

export type OrganizationDeletionBody = components["schemas"]["Reauthentication"];

/**
 * Deletes the current organization (its owner, password and code confirmed), then moves to
 * another of the caller's organizations; answers the privacy request that follows it.
 * `onAccepted` hears the request's ID before the move (which remounts the page).
 */
export function useDeleteOrganization(onAccepted?: (requestId: string) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ orgId, body }: { orgId: string; body: OrganizationDeletionBody }) => {
      const accepted = await unwrap(
        api.DELETE("/api/orgs/{org_id}", { params: { path: { org_id: orgId } }, body }),
      );
      onAccepted?.(accepted.id);
      // The deleted organization is hidden at once: the list no longer holds it.
      const remaining = await client.fetchQuery({
        queryKey: organizationKeys.list(),
        queryFn: () => unwrap(api.GET("/api/orgs")).then((page) => page.items),
        staleTime: 0,
      });
      const next = remaining.find((organization) => organization.id !== orgId);
      if (next) await switchTo(client, next.id).catch(() => undefined);
      return accepted;
    },
  });
}

/** Join the organization an invitation names, and make it the current one. */
export function useAcceptInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (token: string) => {
      const organization = await unwrap(
        api.POST("/api/invitations/{token}/accept", { params: { path: { token } } }),
      );
      await client.fetchQuery({
        queryKey: organizationKeys.list(),
        queryFn: () => unwrap(api.GET("/api/orgs")).then((page) => page.items),
        staleTime: 0,
      });
      return switchTo(client, organization.id);
    },
  });
}

/** Rename the current organization (owners); the switcher and the pages follow. */
export function useRenameOrganization() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ orgId, name }: { orgId: string; name: string }) =>
      unwrap(
        api.PATCH("/api/orgs/{org_id}", { params: { path: { org_id: orgId } }, body: { name } }),
      ),
    onSuccess: (renamed) =>
      client.setQueryData<Organization[]>(organizationKeys.list(), (organizations) =>
        organizations?.map((organization) =>
          organization.id === renamed.id ? { ...organization, name: renamed.name } : organization,
        ),
      ),
  });
}
