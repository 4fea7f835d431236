import { api, unwrap } from "@/lib/api/client";
import { ApiError, toApiError } from "@/lib/api/problem";
import type { components } from "@/lib/api/schema";
import { useAuthStore } from "@/stores/auth";
import { useOrganizationStore } from "@/stores/organizations";
import { readCsrfToken } from "./csrf";
import { acceptToken, cancelScheduledRefresh } from "./session";

type AuthRead = components["schemas"]["AuthRead"];
export type SignUpBody = components["schemas"]["SignupRequest"];
export type SignInBody = components["schemas"]["LoginRequest"];

export class MfaRequiredError extends Error {
  constructor() {
    super("Enter the 6-digit code from your authenticator app.");
    this.name = "MfaRequiredError";
  }
}

function signedIn(auth: AuthRead): AuthRead {
  useOrganizationStore.getState().reset();
  acceptToken(auth.access_token, auth.expires_in);
  useAuthStore.getState().setUser(auth.user);
  return auth;
}

export async function signUp(body: SignUpBody): Promise<AuthRead> {
  return signedIn(await unwrap(api.POST("/api/auth/signup", { body })));
}

export async function signIn(body: SignInBody): Promise<AuthRead> {
  const { data, error, response } = await api.POST("/api/auth/login", { body });
  if (data) return signedIn(data);
  if (response.status === 401 && (error as { mfa_required?: boolean } | undefined)?.mfa_required) {
    throw new MfaRequiredError();
  }
  throw toApiError(response.status, error);
}

export async function signOut(): Promise<void> {
  cancelScheduledRefresh();
  const csrf = readCsrfToken();
  try {
    await api.POST("/api/auth/logout", { headers: csrf ? { "X-CSRF-Token": csrf } : {} });
  } catch (error) {
    // Signing out locally still matters when the server cannot be reached.
    if (!(error instanceof ApiError) && !(error instanceof TypeError)) throw error;
  } finally {
    forget();
  }
}

/** Forget everything about the session held in memory. */
function forget(): void {
  cancelScheduledRefresh();
  useAuthStore.getState().clear();
  useOrganizationStore.getState().reset();
}

/** Revoke every session of the account, this one included (DELETE /api/auth/sessions). */
export async function signOutEverywhere(): Promise<void> {
  try {
    await unwrap(api.DELETE("/api/auth/sessions"));
  } finally {
    forget();
  }
}
