import type { components } from "@/lib/api/schema";

export type AuthRead = components["schemas"]["AuthRead"];
export type SignUpBody = components["schemas"]["SignupRequest"];
export type SignInBody = components["schemas"]["LoginRequest"];

export const authKeys = {
  all: ["auth"] as const,
  me: () => [...authKeys.all, "me"] as const,
  sessions: () => [...authKeys.all, "sessions"] as const,
  mfa: () => [...authKeys.all, "mfa"] as const,
  providers: () => [...authKeys.all, "providers"] as const,
};
