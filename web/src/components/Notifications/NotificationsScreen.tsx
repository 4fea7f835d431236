"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useMarkAllNotificationsRead } from "@/hooks/notifications/mutations";
import { useNotifications, useUnreadCount } from "@/hooks/notifications/queries";
import { errorText } from "@/lib/api/problem";
import { NotificationList } from "./NotificationList";

/** `/notifications`: the inbox of the current organization, newest first, live. */
export function NotificationsScreen() {
  const [unread, setUnread] = useState(false);
  const notifications = useNotifications({ unread });
  const { items, hasNextPage, isFetchingNextPage, fetchNextPage } = notifications;
  const { data: count } = useUnreadCount();
  const markAll = useMarkAllNotificationsRead();
  const error = errorText(notifications.error);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Notifications</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            What happened to your documents and your access in this organization.
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <label className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
            <input
              type="checkbox"
              checked={unread}
              onChange={(event) => setUnread(event.target.checked)}
              className="h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500 dark:border-slate-700"
            />
            Unread only
          </label>
          <Button
            variant="secondary"
            loading={markAll.isPending}
            disabled={!count}
            onClick={() => markAll.mutate()}
          >
            Mark all read
          </Button>
        </div>
      </div>
      {error && <Alert>{error}</Alert>}
      {items === undefined ? (
        !error && (
          <div className="space-y-2" aria-busy="true" aria-label="Loading notifications">
            {[0, 1, 2].map((key) => (
              <Skeleton key={key} className="h-20" />
            ))}
          </div>
        )
      ) : items.length === 0 ? (
        <EmptyState title={unread ? "No unread notifications" : "No notifications yet"}>
          {unread
            ? "You are all caught up."
            : "You will hear here when a document you uploaded is indexed, when someone adds you, or when a saved search finds something new."}
        </EmptyState>
      ) : (
        <>
          <NotificationList notifications={items} />
          {hasNextPage && (
            <div className="flex justify-center">
              <Button
                variant="secondary"
                loading={isFetchingNextPage}
                onClick={() => void fetchNextPage()}
              >
                Load more
              </Button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
