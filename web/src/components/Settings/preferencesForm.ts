import { z } from "zod";
import type {
  Preferences,
  PreferencesUpdate,
  TypePreference,
} from "@/hooks/notificationPreferences/keys";

/** What people call each type (rows of the matrix), and what it covers. */
export const TYPE_NAMES: Record<string, { label: string; description: string }> = {
  document_indexed: { label: "Document ready", description: "A document you uploaded is indexed." },
  document_index_failed: {
    label: "Document failed",
    description: "A document you uploaded could not be indexed.",
  },
  saved_search_matched: {
    label: "Saved search matches",
    description: "A new document matches a saved search of yours.",
  },
  member_added: { label: "Added to an organization", description: "Through a sign-in provider." },
  collection_access_granted: {
    label: "Added to a collection",
    description: "Someone gave you access to a restricted collection.",
  },
  export_ready: {
    label: "Data export ready",
    description: "The copy of your data you asked for can be downloaded.",
  },
  security_alert: {
    label: "Security alerts",
    description: "New sign-ins, password and two-step changes, API keys.",
  },
  account_links: {
    label: "Account e-mails",
    description: "E-mail verification, password reset and invitation links.",
  },
};

export const nameOf = (type: string) => TYPE_NAMES[type]?.label ?? type.replaceAll("_", " ");

const clock = z.string().regex(/^\d{2}:\d{2}/, "Pick a time.");

// Mirrors PreferencesUpdate (quiet hours: different start and end, an IANA zone).
export const preferencesSchema = z.object({
  types: z.array(
    z.object({
      type: z.string(),
      in_app: z.boolean(),
      email: z.boolean(),
      sms: z.boolean(),
      locked: z.boolean(),
    }),
  ),
  quiet_hours: z
    .object({ enabled: z.boolean(), start: clock, end: clock, time_zone: z.string().min(1) })
    .refine((quiet) => !quiet.enabled || quiet.start.slice(0, 5) !== quiet.end.slice(0, 5), {
      message: "Quiet hours must start and end at different times.",
      path: ["end"],
    }),
  digest: z.enum(["off", "daily", "weekly"]),
});
export type PreferenceValues = z.infer<typeof preferencesSchema>;

/** The browser's IANA zone: the default for quiet hours and the digest. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Every zone the browser knows, with `wanted` and UTC among them. */
export function timeZones(...wanted: string[]): string[] {
  const known =
    typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([...known, "UTC", ...wanted])].sort();
}

export function toValues(preferences: Preferences, zone = browserTimeZone()): PreferenceValues {
  const quiet = preferences.quiet_hours;
  return {
    types: preferences.types.map((row: TypePreference) => ({
      ...row,
      locked: row.locked ?? false,
    })),
    quiet_hours: quiet
      ? {
          enabled: true,
          start: quiet.start.slice(0, 5),
          end: quiet.end.slice(0, 5),
          time_zone: quiet.time_zone,
        }
      : { enabled: false, start: "22:00", end: "07:00", time_zone: preferences.time_zone ?? zone },
    digest: preferences.digest,
  };
}

export function toBody(values: PreferenceValues): PreferencesUpdate {
  const { enabled, start, end, time_zone } = values.quiet_hours;
  return {
    // Locked rows cannot change: sending them would only ask for a refusal.
    types: values.types
      .filter((row) => !row.locked)
      .map(({ type, in_app, email, sms }) => ({
        type,
        in_app,
        email,
        sms,
        locked: false,
        sms_available: false,
      })),
    quiet_hours: enabled ? { start, end, time_zone } : null,
    digest: values.digest,
    time_zone,
  };
}
