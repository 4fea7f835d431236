import type { components } from "@/lib/api/schema";

export type ExportRead = components["schemas"]["ExportRead"];
export type ErasureBody = components["schemas"]["ErasureCreate"];

export const privacyKeys = {
  all: ["privacy"] as const,
  export: (id: string) => [...privacyKeys.all, "export", id] as const,
};
