"use client";

import { useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { ApiError, toApiError } from "@/lib/api/problem";
import type { components } from "@/lib/api/schema";
import { readCsrfToken } from "@/lib/auth/csrf";
import { acceptToken, cancelScheduledRefresh } from "@/lib/api/session";
import { useAuthStore, type User } from "@/stores/auth";
import { toastError } from "@/stores/toast";
import { authKeys, type AuthRead, type SignInBody, type SignUpBody } from "./keys";

type UserUpdate = components["schemas"]["UserUpdate"];

export class MfaRequiredError extends Error {
  constructor() {
    super("Enter the 6-digit code from your authenticator app.");
    this.name = "MfaRequiredError";
  }
}

/** A new session starts with an empty cache: nothing of the previous one may show. */
function signedIn(client: QueryClient, auth: AuthRead): AuthRead {
  client.clear();
  acceptToken(auth.access_token, auth.expires_in);
  useAuthStore.getState().setUser(auth.user);
  return auth;
}

/** Forget everything about the session held in memory. */
function forget(client: QueryClient): void {
  cancelScheduledRefresh();
  useAuthStore.getState().clear();
  client.clear();
}

export function useSignUp() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: SignUpBody) =>
      signedIn(client, await unwrap(api.POST("/api/auth/signup", { body }))),
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: SignInBody) => {
      const { data, error, response } = await api.POST("/api/auth/login", { body });
      if (data) return signedIn(client, data);
      const mfaRequired = (error as { mfa_required?: boolean } | undefined)?.mfa_required;
      if (response.status === 401 && mfaRequired) throw new MfaRequiredError();
      throw toApiError(response.status, error);
    },
  });
}

/** Sign out here, or (`everywhere`) revoke every session of the account, this one included. */
export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ everywhere = false }: { everywhere?: boolean } = {}) => {
      cancelScheduledRefresh();
      try {
        if (everywhere) {
          await unwrap(api.DELETE("/api/auth/sessions"));
        } else {
          const csrf = readCsrfToken();
          await api.POST("/api/auth/logout", { headers: csrf ? { "X-CSRF-Token": csrf } : {} });
        }
      } catch (error) {
        // Signing out locally still matters when the server cannot be reached.
        if (everywhere || (!(error instanceof ApiError) && !(error instanceof TypeError)))
          throw error;
      } finally {
        forget(client);
      }
    },
    onError: toastError,
  });
}

export function useRevokeSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) =>
      unwrap(
        api.DELETE("/api/auth/sessions/{session_id}", {
          params: { path: { session_id: sessionId } },
        }),
      ),
    onSuccess: (_, sessionId) =>
      client.setQueryData<{ id: string }[]>(authKeys.sessions(), (list) =>
        list?.filter((item) => item.id !== sessionId),
      ),
    onError: toastError,
  });
}

export function useForgotPassword() {
  return useMutation({
    mutationFn: (body: { email: string }) =>
      unwrap(api.POST("/api/auth/password/forgot", { body })),
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: (body: { token: string; password: string }) =>
      unwrap(api.POST("/api/auth/password/reset", { body })),
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) =>
      unwrap(api.POST("/api/auth/password/change", { body })),
  });
}

export function useVerifyEmail() {
  return useMutation({
    mutationFn: (token: string) => unwrap(api.POST("/api/auth/email/verify", { body: { token } })),
  });
}

export function useResendVerification() {
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/auth/email/verify/resend")),
    onError: toastError,
  });
}

export function useUpdateProfile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UserUpdate) => unwrap(api.PATCH("/api/users/me", { body })),
    onSuccess: (user: User) => {
      useAuthStore.getState().setUser(user);
      client.setQueryData(authKeys.me(), user);
    },
  });
}

export function useDisableMfa() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (password: string) =>
      unwrap(api.POST("/api/auth/mfa/disable", { body: { password } })),
    onSuccess: () => client.invalidateQueries({ queryKey: authKeys.mfa() }),
  });
}

/** Step one of an authenticator app: the secret to scan (needs the password). */
export function useTotpSetup() {
  return useMutation({
    mutationFn: (password: string) =>
      unwrap(api.POST("/api/auth/mfa/totp/setup", { body: { password } })),
  });
}

/** Step two: a code from the app turns it on and answers the recovery codes. */
export function useTotpEnable() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST("/api/auth/mfa/totp/enable", { body: { code } })),
    onSuccess: () => client.invalidateQueries({ queryKey: authKeys.mfa() }),
  });
}
