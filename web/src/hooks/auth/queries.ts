"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { useEffect } from "react";
import { api, unwrap } from "@/lib/api/client";
import { refreshAccessToken } from "@/lib/api/session";
import { useAuthStore } from "@/stores/auth";
import { authKeys } from "./keys";

/**
 * The signed-in user, or a redirect to sign in. After a reload the memory is empty: the
 * refresh cookie buys a new access token without asking for the password again.
 */
export function useSession() {
  const router = useRouter();
  const pathname = usePathname();
  const status = useAuthStore((state) => state.status);
  const user = useAuthStore((state) => state.user);

  useEffect(() => {
    if (status === "unknown") void refreshAccessToken();
  }, [status]);

  // Signing in hands over the user; a reload only has the token and asks who it is.
  const me = useQuery({
    queryKey: authKeys.me(),
    queryFn: ({ signal }) => unwrap(api.GET("/api/users/me", { signal })),
    enabled: status === "authenticated" && user === null,
  });
  useEffect(() => {
    if (me.data && useAuthStore.getState().user === null) useAuthStore.getState().setUser(me.data);
  }, [me.data]);

  useEffect(() => {
    // The query matters too: an invitation or a search lives in it.
    const here = pathname + window.location.search;
    if (status === "anonymous") router.replace(`/sign-in?next=${encodeURIComponent(here)}`);
  }, [status, pathname, router]);

  return { status, user };
}

/** The places the account is signed in. */
export function useSessions() {
  return useQuery({
    queryKey: authKeys.sessions(),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/auth/sessions", { signal })).then((page) => page.items),
  });
}

export function useMfaStatus() {
  return useQuery({
    queryKey: authKeys.mfa(),
    queryFn: ({ signal }) => unwrap(api.GET("/api/auth/mfa", { signal })),
  });
}

/** The sign-in providers identity has configured; none when they cannot be read. */
export function useOAuthProviders() {
  return useQuery({
    queryKey: authKeys.providers(),
    queryFn: async ({ signal }) =>
      (await api.GET("/api/auth/oauth/providers", { signal })).data ?? [],
    // The password form still works without them: no retries, no error shown.
    retry: false,
    staleTime: Infinity,
  });
}
