"use client";

import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { currentOrganization, type Organization } from "@/stores/organizations";
import { organizationKeys } from "./keys";

export type { Organization };

/** The caller's organizations and the current one (loaded once per session). */
export function useOrganizations(enabled = true) {
  const query = useQuery({
    queryKey: organizationKeys.list(),
    queryFn: ({ signal }) => unwrap(api.GET("/api/orgs", { signal })).then((page) => page.items),
    enabled,
    // Only a switch or a joined invitation changes them, and both update the cache.
    staleTime: Infinity,
    meta: { toast: true },
  });
  const organizations = query.data ?? null;
  return { ...query, organizations, current: currentOrganization(organizations) };
}
