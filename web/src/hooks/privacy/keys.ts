import type { components } from "@/lib/api/schema";

export type ExportRead = components["schemas"]["ExportRead"];
export type ErasureBody = components["schemas"]["ErasureCreate"];
export type PrivacyRequestRead = components["schemas"]["PrivacyRequestRead"];

export const privacyKeys = {
  all: ["privacy"] as const,
  export: (id: string) => [...privacyKeys.all, "export", id] as const,
  request: (id: string) => [...privacyKeys.all, "request", id] as const,
};
