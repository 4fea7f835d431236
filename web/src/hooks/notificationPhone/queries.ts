"use client";

import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { phoneKeys } from "./keys";

/** The caller's phone for SMS notifications: masked number and whether it is verified. */
export function useNotificationPhone() {
  return useQuery({
    queryKey: phoneKeys.all,
    queryFn: ({ signal }) => unwrap(api.GET("/api/notifications/phone", { signal })),
  });
}
