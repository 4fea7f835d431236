import type { components } from "@/lib/api/schema";

export type Member = components["schemas"]["MemberRead"];
export type InvitationCreate = components["schemas"]["InvitationCreate"];

export const memberKeys = {
  all: ["members"] as const,
  list: (orgId: string) => [...memberKeys.all, orgId] as const,
};
