"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect } from "react";
import { api, unwrap } from "@/lib/api/client";
import { refreshAccessToken } from "@/lib/auth/session";
import { useAuthStore } from "@/stores/auth";

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

  useEffect(() => {
    if (status === "authenticated" && user === null) {
      unwrap(api.GET("/api/users/me"))
        .then((me) => useAuthStore.getState().setUser(me))
        .catch(() => undefined);
    }
  }, [status, user]);

  useEffect(() => {
    // The query matters too: an invitation or a search lives in it.
    const here = pathname + window.location.search;
    if (status === "anonymous") router.replace(`/sign-in?next=${encodeURIComponent(here)}`);
  }, [status, pathname, router]);

  return { status, user };
}
