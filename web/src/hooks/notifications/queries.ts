"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { notificationKeys, type NotificationFilters } from "./keys";

export const PAGE_SIZE = 20;

/**
 * The caller's notifications in the current organization, newest first, a page at a time
 * (`fetchNextPage` appends one). The live feed (`useNotificationStream`) puts new ones on top.
 */
export function useNotifications(filters: NotificationFilters = {}) {
  const unread = filters.unread ?? false;
  const query = useInfiniteQuery({
    queryKey: notificationKeys.list({ unread }),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/notifications", {
          params: {
            query: {
              limit: PAGE_SIZE,
              cursor: pageParam ?? undefined,
              unread: unread || undefined,
            },
          },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const items = query.data?.pages.flatMap((page) => page.items);
  return { ...query, items };
}

/** How many are unread; kept current by the live feed, not by polling. */
export function useUnreadCount() {
  return useQuery({
    queryKey: notificationKeys.unreadCount(),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/notifications/unread-count", { signal })).then((body) => body.count),
  });
}
