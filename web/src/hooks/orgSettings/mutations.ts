"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { orgSettingsKeys, type AssistantSettingsUpdate, type DocumentSettingsUpdate } from "./keys";

/** Errors go to the form that called them (next to their fields). */
export function useUpdateAssistantSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AssistantSettingsUpdate) =>
      unwrap(api.PUT("/api/assistant/settings", { body })),
    onSuccess: (settings) => client.setQueryData(orgSettingsKeys.assistant(), settings),
  });
}

export function useUpdateDocumentSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: DocumentSettingsUpdate) =>
      unwrap(api.PUT("/api/documents/settings", { body })),
    onSuccess: (settings) => client.setQueryData(orgSettingsKeys.documents(), settings),
  });
}
