"use client";

import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { apiKeyKeys } from "./keys";

export function useApiKeys(orgId: string) {
  return useQuery({
    queryKey: apiKeyKeys.list(orgId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/orgs/{org_id}/api-keys", { params: { path: { org_id: orgId } }, signal }),
      ).then((page) => page.items),
  });
}
