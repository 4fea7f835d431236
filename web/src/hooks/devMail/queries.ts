"use client";

import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/problem";
import { devMailKeys } from "./keys";

export const DEV_MAIL_POLL_MS = 3_000;

/**
 * The mail the development capture caught, newest first; asked again every `pollMs`.
 * Outside development the API answers 404, and asking again would not change that.
 */
export function useDevMail(pollMs: number | false = DEV_MAIL_POLL_MS) {
  return useQuery({
    queryKey: devMailKeys.list(),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/dev/mail", { params: { query: { limit: 100 } }, signal })).then(
        (body) => body.items,
      ),
    refetchInterval: (query) => (isNotDevelopment(query.state.error) ? false : pollMs),
  });
}

export const isNotDevelopment = (error: unknown) =>
  error instanceof ApiError && error.status === 404;
