"use client";

import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { orgSettingsKeys } from "./keys";

/** Default AI provider, monthly quota and this month's AI requests. */
export function useAssistantSettings() {
  return useQuery({
    queryKey: orgSettingsKeys.assistant(),
    queryFn: ({ signal }) => unwrap(api.GET("/api/assistant/settings", { signal })),
  });
}

/** Defaults for new collections (every member reads them; admins set them). */
export function useDocumentSettings() {
  return useQuery({
    queryKey: orgSettingsKeys.documents(),
    queryFn: ({ signal }) => unwrap(api.GET("/api/documents/settings", { signal })),
  });
}
