import { create } from "zustand";
import type { components } from "@/lib/api/schema";

export type Organization = components["schemas"]["OrganizationRead"];
export type Role = components["schemas"]["Role"];

interface OrganizationState {
  // Bumped by a switch: the workspace remounts its page under the new organization.
  generation: number;
  switched: () => void;
}

export const useOrganizationStore = create<OrganizationState>()((set) => ({
  generation: 0,
  switched: () => set((state) => ({ generation: state.generation + 1 })),
}));

export function currentOrganization(
  organizations: Organization[] | null | undefined,
): Organization | null {
  return organizations?.find((organization) => organization.current) ?? organizations?.[0] ?? null;
}

export const isAdmin = (role: Role | undefined) => role === "owner" || role === "admin";
