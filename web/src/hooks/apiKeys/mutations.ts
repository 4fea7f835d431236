"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { apiKeyKeys, type ApiKey, type ApiKeyCreate } from "./keys";

/** A new key; its secret is in the answer, the only time it is shown. */
export function useCreateApiKey(orgId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiKeyCreate) =>
      unwrap(
        api.POST("/api/orgs/{org_id}/api-keys", { params: { path: { org_id: orgId } }, body }),
      ),
    onSuccess: (created) =>
      client.setQueryData<ApiKey[]>(apiKeyKeys.list(orgId), (list) => [created, ...(list ?? [])]),
  });
}

export function useRevokeApiKey(orgId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) =>
      unwrap(
        api.DELETE("/api/orgs/{org_id}/api-keys/{key_id}", {
          params: { path: { org_id: orgId, key_id: keyId } },
        }),
      ),
    onSuccess: (_, keyId) =>
      client.setQueryData<ApiKey[]>(apiKeyKeys.list(orgId), (list) =>
        list?.filter((key) => key.id !== keyId),
      ),
  });
}
