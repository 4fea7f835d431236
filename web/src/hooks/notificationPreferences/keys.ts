import type { components } from "@/lib/api/schema";

export type Preferences = components["schemas"]["PreferencesRead"];
export type PreferencesUpdate = components["schemas"]["PreferencesUpdate"];
export type TypePreference = components["schemas"]["TypePreference"];
export type DigestFrequency = components["schemas"]["DigestFrequency"];

// Per user, whatever the organization: the server keys them by the account.
export const preferenceKeys = {
  all: ["notification-preferences"] as const,
};
