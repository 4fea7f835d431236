"use client";

import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { privacyKeys } from "./keys";

const POLL_MS = 1500;

/** An export's progress, polled until its archive is ready (or it failed). */
export function useExport(id: string | null) {
  return useQuery({
    queryKey: privacyKeys.export(id ?? ""),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/privacy/exports/{request_id}", {
          params: { path: { request_id: id ?? "" } },
          signal,
        }),
      ),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data?.status === "pending" ? POLL_MS : false),
  });
}

/** The caller's consents and the history of their choices (newest first). */
export function useConsents({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: privacyKeys.consents(),
    queryFn: ({ signal }) => unwrap(api.GET("/api/privacy/consents", { signal })),
    enabled,
  });
}

/**
 * A privacy request's progress per service, polled until it is done. Just after an
 * organization's deletion was asked, audit may not have opened it yet (404): retried.
 */
export function usePrivacyRequest(id: string | null) {
  return useQuery({
    queryKey: privacyKeys.request(id ?? ""),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/privacy/requests/{request_id}", {
          params: { path: { request_id: id ?? "" } },
          signal,
        }),
      ),
    enabled: id !== null,
    retry: 20,
    retryDelay: POLL_MS,
    refetchInterval: (query) => (query.state.data?.status === "pending" ? POLL_MS : false),
  });
}
