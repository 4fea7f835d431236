import { z } from "zod";
import type { Role } from "@/stores/organizations";

export const ROLES: { value: Role; label: string; description: string }[] = [
  { value: "viewer", label: "Viewer", description: "Searches and reads documents." },
  { value: "editor", label: "Editor", description: "Also uploads and edits documents." },
  { value: "admin", label: "Admin", description: "Also manages members and settings." },
  { value: "owner", label: "Owner", description: "Everything, including the organization." },
];

export const roleLabel = (role: Role) => ROLES.find((item) => item.value === role)?.label ?? role;

// Mirrors InvitationCreate.
export const invitationSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, "Enter an e-mail address.")
    .max(320, "Use at most 320 characters.")
    .email("Enter a valid e-mail address."),
  role: z.enum(["viewer", "editor", "admin", "owner"]),
});

export type InvitationValues = z.infer<typeof invitationSchema>;
