import { create } from "zustand";
import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { acceptToken } from "@/lib/auth/session";

export type Organization = components["schemas"]["OrganizationRead"];
export type Role = components["schemas"]["Role"];

interface OrganizationState {
  organizations: Organization[] | null;
  // Bumped by a switch: the workspace remounts its page under the new organization.
  generation: number;
  load: () => Promise<void>;
  switchTo: (orgId: string) => Promise<Organization>;
  reset: () => void;
}

export const useOrganizationStore = create<OrganizationState>()((set) => ({
  organizations: null,
  generation: 0,
  load: async () => {
    const page = await unwrap(api.GET("/api/orgs"));
    set({ organizations: page.items });
  },
  switchTo: async (orgId) => {
    const switched = await unwrap(
      api.POST("/api/orgs/{org_id}/switch", { params: { path: { org_id: orgId } } }),
    );
    // The new token carries the new organization and role; the session follows on the server.
    acceptToken(switched.access_token, switched.expires_in);
    set((state) => ({
      generation: state.generation + 1,
      organizations: (state.organizations ?? [switched.organization]).map((organization) => ({
        ...organization,
        current: organization.id === switched.organization.id,
      })),
    }));
    return switched.organization;
  },
  reset: () => set({ organizations: null }),
}));

export function currentOrganization(organizations: Organization[] | null): Organization | null {
  return organizations?.find((organization) => organization.current) ?? organizations?.[0] ?? null;
}

export const isAdmin = (role: Role | undefined) => role === "owner" || role === "admin";
