"use client";

import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { useMarkNotificationRead } from "@/hooks/notifications/mutations";
import type { NotificationRead } from "@/hooks/notifications/keys";
import { formatDate } from "@/lib/format";
import { cn } from "@/lib/cn";
import { NotificationLink } from "./NotificationLink";
import { timeAgo } from "./time";

const TYPE_LABEL: Record<string, string> = {
  document_indexed: "Document indexed",
  document_index_failed: "Indexing failed",
  saved_search_matched: "Saved search",
  member_added: "Membership",
  collection_access_granted: "Collection access",
  export_ready: "Data export",
  security_alert: "Security",
};

function NotificationRow({ notification }: { notification: NotificationRead }) {
  const markRead = useMarkNotificationRead();
  const unread = notification.read_at === null;
  return (
    <li
      data-testid="notification-row"
      data-read={unread ? "false" : "true"}
      className={cn(
        "flex flex-col gap-3 rounded-xl border p-4 sm:flex-row sm:items-start sm:justify-between",
        unread
          ? "border-brand-100 bg-brand-50/60 dark:border-brand-700/60 dark:bg-slate-900"
          : "border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900/60",
      )}
    >
      <div className="flex min-w-0 gap-3">
        <span
          aria-hidden
          className={cn(
            "mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full",
            unread ? "bg-brand-600 dark:bg-brand-100" : "bg-transparent",
          )}
        />
        <div className="min-w-0 space-y-1">
          <p className="flex flex-wrap items-center gap-2">
            <NotificationLink
              notification={notification}
              className={
                notification.link
                  ? "font-medium text-brand-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:text-brand-100"
                  : "font-medium text-slate-900 dark:text-slate-50"
              }
            >
              {notification.title}
            </NotificationLink>
            {unread && <span className="sr-only">(unread)</span>}
            <Badge tone={notification.priority === "high" ? "danger" : "neutral"}>
              {TYPE_LABEL[notification.type] ?? notification.type}
            </Badge>
          </p>
          <p className="text-sm text-slate-700 dark:text-slate-300">{notification.body}</p>
          <p
            className={cn(
              "text-xs dark:text-slate-400",
              // Muted slate-500 is too faint on the unread row's tint.
              unread ? "text-slate-600" : "text-slate-500",
            )}
          >
            <time dateTime={notification.created_at} title={formatDate(notification.created_at)}>
              {timeAgo(notification.created_at)}
            </time>
          </p>
        </div>
      </div>
      {unread && (
        <Button
          variant="ghost"
          className="h-8 shrink-0 self-start px-3"
          aria-label={`Mark “${notification.title}” read`}
          loading={markRead.isPending}
          onClick={() => markRead.mutate(notification.id)}
        >
          Mark read
        </Button>
      )}
    </li>
  );
}

export function NotificationList({ notifications }: { notifications: NotificationRead[] }) {
  return (
    <ul aria-label="Notifications" className="space-y-2">
      {notifications.map((notification) => (
        <NotificationRow key={notification.id} notification={notification} />
      ))}
    </ul>
  );
}
