import type { InfiniteData } from "@tanstack/react-query";
import type { components } from "@/lib/api/schema";

export type NotificationRead = components["schemas"]["NotificationRead"];
export type NotificationPage = components["schemas"]["Page_NotificationRead_"];
/** A list as the cache holds it: the pages fetched so far. */
export type NotificationPages = InfiniteData<NotificationPage, string | null>;

export interface NotificationFilters {
  /** Only the unread ones. */
  unread?: boolean;
}

export const notificationKeys = {
  all: ["notifications"] as const,
  lists: () => [...notificationKeys.all, "list"] as const,
  list: ({ unread = false }: NotificationFilters) =>
    [...notificationKeys.lists(), { unread }] as const,
  unreadCount: () => [...notificationKeys.all, "unread-count"] as const,
};
