import type { components } from "@/lib/api/schema";

export type ExportRead = components["schemas"]["ExportRead"];
export type ErasureBody = components["schemas"]["ErasureCreate"];
export type Consents = components["schemas"]["ConsentsRead"];
export type ConsentKind = components["schemas"]["ConsentKind"];
export type ConsentsUpdate = components["schemas"]["ConsentsUpdate"];
export type PrivacyRequestRead = components["schemas"]["PrivacyRequestRead"];

export const privacyKeys = {
  all: ["privacy"] as const,
  export: (id: string) => [...privacyKeys.all, "export", id] as const,
  consents: () => [...privacyKeys.all, "consents"] as const,
  request: (id: string) => [...privacyKeys.all, "request", id] as const,
};
