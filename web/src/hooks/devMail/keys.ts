import type { components } from "@/lib/api/schema";

export type CapturedMail = components["schemas"]["CapturedMailRead"];

export const devMailKeys = {
  all: ["dev-mail"] as const,
  list: () => [...devMailKeys.all, "list"] as const,
};
