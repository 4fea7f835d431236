"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { preferenceKeys, type Preferences, type PreferencesUpdate } from "./keys";

/** Saves them; the answer (what the server now holds) replaces the cached copy. Errors
 * are the caller's to show: a 422 names the type or field that is wrong. */
export function useSaveNotificationPreferences() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PreferencesUpdate) =>
      unwrap(api.PUT("/api/notifications/preferences", { body })),
    onSuccess: (saved) => client.setQueryData<Preferences>(preferenceKeys.all, saved),
  });
}
