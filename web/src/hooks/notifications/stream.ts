"use client";

import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { followNotifications, type NotificationEvent } from "@/lib/api/notificationStream";
import { useAuthStore } from "@/stores/auth";
import { useOrganizationStore } from "@/stores/organizations";
import { notificationKeys, type NotificationPages } from "./keys";

/** What the feed says goes straight into the cache: the count, and new items on top. */
export function applyNotificationEvent(client: QueryClient, event: NotificationEvent): void {
  if (event.type === "unread_count") {
    client.setQueryData(notificationKeys.unreadCount(), event.count);
    return;
  }
  const { notification } = event;
  for (const unread of [false, true]) {
    if (unread && notification.read_at !== null) continue;
    client.setQueryData<NotificationPages>(notificationKeys.list({ unread }), (data) => {
      // Not cached: the list fetches it when it opens. Listed: a resumed feed repeats it.
      if (!data || data.pages.some((page) => page.items.some((i) => i.id === notification.id)))
        return data;
      const [first, ...rest] = data.pages;
      if (!first) return data;
      return { ...data, pages: [{ ...first, items: [notification, ...first.items] }, ...rest] };
    });
  }
}

/**
 * Keep the notifications in the cache live while the tab is signed in: one feed per tab
 * (the shell's bell opens it), started again for the organization a switch makes current.
 */
export function useNotificationStream(): void {
  const client = useQueryClient();
  const status = useAuthStore((state) => state.status);
  const generation = useOrganizationStore((state) => state.generation);
  useEffect(() => {
    if (status !== "authenticated") return;
    const controller = new AbortController();
    void followNotifications({
      signal: controller.signal,
      onEvent: (event) => applyNotificationEvent(client, event),
    });
    return () => controller.abort();
  }, [client, status, generation]);
}
