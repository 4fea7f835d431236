"use client";

import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { preferenceKeys } from "./keys";

/** Which notifications reach the caller on which channel, quiet hours and the digest. */
export function useNotificationPreferences() {
  return useQuery({
    queryKey: preferenceKeys.all,
    queryFn: ({ signal }) => unwrap(api.GET("/api/notifications/preferences", { signal })),
  });
}
