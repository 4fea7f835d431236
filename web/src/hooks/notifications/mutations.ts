"use client";

import { useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { toastError } from "@/stores/toast";
import { notificationKeys, type NotificationPages, type NotificationRead } from "./keys";

/**
 * Mark what `isRead` picks as read in every cached list; an unread-only list drops them.
 * The count follows from the server (the feed sends it; the query is asked again too, for
 * a tab whose feed is reconnecting).
 */
function markInLists(client: QueryClient, isRead: (item: NotificationRead) => boolean): void {
  const now = new Date().toISOString();
  for (const unread of [false, true])
    client.setQueryData<NotificationPages>(notificationKeys.list({ unread }), (data) =>
      data
        ? {
            ...data,
            pages: data.pages.map((page) => ({
              ...page,
              items: page.items.flatMap((item) => {
                if (item.read_at !== null || !isRead(item)) return [item];
                return unread ? [] : [{ ...item, read_at: now }];
              }),
            })),
          }
        : data,
    );
  void client.invalidateQueries({ queryKey: notificationKeys.unreadCount() });
}

export function useMarkNotificationRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (notificationId: string) =>
      unwrap(
        api.POST("/api/notifications/{notification_id}/read", {
          params: { path: { notification_id: notificationId } },
        }),
      ),
    onSuccess: (_, notificationId) => markInLists(client, (item) => item.id === notificationId),
    onError: toastError,
  });
}

export function useMarkAllNotificationsRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/notifications/read-all")),
    onSuccess: () => markInLists(client, () => true),
    onError: toastError,
  });
}
