import type { components } from "@/lib/api/schema";

export type ApiKey = components["schemas"]["ApiKeyRead"];
export type ApiKeyCreate = components["schemas"]["ApiKeyCreate"];

export const apiKeyKeys = {
  all: ["api-keys"] as const,
  list: (orgId: string) => [...apiKeyKeys.all, orgId] as const,
};
