"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { auditKeys, type AuditFilters } from "./keys";

export const PAGE_SIZE = 50;

/** The current organization's audit log, newest first, a page at a time. */
export function useAuditEvents(orgId: string, filters: AuditFilters) {
  const query = useInfiniteQuery({
    queryKey: auditKeys.list(orgId, filters),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/audit/events", {
          params: { query: { ...filters, limit: PAGE_SIZE, cursor: pageParam ?? undefined } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const items = query.data?.pages.flatMap((page) => page.items);
  return { ...query, items };
}

/** The organization's hash chain, recomputed by the server. */
export function useAuditChain(orgId: string) {
  return useQuery({
    queryKey: auditKeys.chain(orgId),
    queryFn: ({ signal }) => unwrap(api.GET("/api/audit/verify", { signal })),
  });
}
