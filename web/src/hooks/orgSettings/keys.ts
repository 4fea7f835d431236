import type { components } from "@/lib/api/schema";

export type AssistantSettings = components["schemas"]["AssistantSettingsRead"];
export type AssistantSettingsUpdate = components["schemas"]["AssistantSettingsUpdate"];
export type DocumentSettings = components["schemas"]["DocumentSettingsRead"];
export type DocumentSettingsUpdate = components["schemas"]["DocumentSettingsUpdate"];

/** The organization's settings kept by the services that use them (assistant, documents). */
export const orgSettingsKeys = {
  all: ["orgSettings"] as const,
  assistant: () => [...orgSettingsKeys.all, "assistant"] as const,
  documents: () => [...orgSettingsKeys.all, "documents"] as const,
};
