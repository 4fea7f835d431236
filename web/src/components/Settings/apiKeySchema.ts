import { z } from "zod";
import type { components } from "@/lib/api/schema";

export type Permission = components["schemas"]["Permission"];

// What a key is usually for; the server refuses permissions its creator does not have.
export const KEY_PERMISSIONS: { value: Permission; label: string }[] = [
  { value: "documents:read", label: "Read documents" },
  { value: "search:read", label: "Search" },
  { value: "assistant:ask", label: "Ask the assistant" },
  { value: "documents:write", label: "Upload and edit documents" },
  { value: "collections:manage", label: "Manage collections" },
  { value: "members:read", label: "See members" },
  { value: "audit:read", label: "Read the audit log" },
];

// Mirrors ApiKeyCreate; the expiry is a day in the future, or none.
export const apiKeySchema = z.object({
  name: z.string().trim().min(1, "Name the key.").max(100, "Use at most 100 characters."),
  permissions: z.array(z.string()).min(1, "Choose at least one permission."),
  expires_on: z.string().refine((value) => !value || new Date(`${value}T23:59:59Z`) > new Date(), {
    message: "Choose a day in the future.",
  }),
});

export type ApiKeyValues = z.infer<typeof apiKeySchema>;

/** The request body: the chosen day's end, in UTC, or no expiry. */
export function apiKeyBody(values: ApiKeyValues): components["schemas"]["ApiKeyCreate"] {
  return {
    name: values.name,
    permissions: values.permissions as Permission[],
    expires_at: values.expires_on ? `${values.expires_on}T23:59:59Z` : null,
  };
}
