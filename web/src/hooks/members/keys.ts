import type { components } from "@/lib/api/schema";

export type Member = components["schemas"]["MemberRead"];
export type InvitationCreate = components["schemas"]["InvitationCreate"];
export type Invitation = components["schemas"]["InvitationRead"];

export const memberKeys = {
  all: ["members"] as const,
  list: (orgId: string) => [...memberKeys.all, orgId] as const,
  /** The organization's pending invitations. */
  invitations: (orgId: string) => [...memberKeys.all, orgId, "invitations"] as const,
};
