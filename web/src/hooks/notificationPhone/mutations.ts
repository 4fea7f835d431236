"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { preferenceKeys } from "@/hooks/notificationPreferences/keys";
import { phoneKeys, type Phone } from "./keys";

/** Whatever the phone is now decides the SMS column: preferences are read again too. */
function usePhoneChanged() {
  const client = useQueryClient();
  return (phone: Phone) => {
    client.setQueryData<Phone>(phoneKeys.all, phone);
    void client.invalidateQueries({ queryKey: preferenceKeys.all });
  };
}

/** Sets the number and texts it a code (a 422 names the number; 429 says how long to wait). */
export function useSetNotificationPhone() {
  const changed = usePhoneChanged();
  return useMutation({
    mutationFn: (number: string) =>
      unwrap(api.PUT("/api/notifications/phone", { body: { number } })),
    onSuccess: changed,
  });
}

export function useVerifyNotificationPhone() {
  const changed = usePhoneChanged();
  return useMutation({
    mutationFn: (code: string) =>
      unwrap(api.POST("/api/notifications/phone/verify", { body: { code } })),
    onSuccess: changed,
  });
}

/** Removes the number; the server switches SMS off for every type. */
export function useRemoveNotificationPhone() {
  const changed = usePhoneChanged();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/notifications/phone")),
    onSuccess: () => changed({ number: null, verified: false }),
  });
}
