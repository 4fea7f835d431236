"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import Link from "next/link";
import { NotificationLink } from "@/components/Notifications/NotificationLink";
import { timeAgo } from "@/components/Notifications/time";
import { Skeleton } from "@/components/ui/Skeleton";
import { useNotifications, useUnreadCount } from "@/hooks/notifications/queries";
import { useNotificationStream } from "@/hooks/notifications/stream";
import { errorText } from "@/lib/api/problem";

export const PANEL_SIZE = 5;

const ITEM =
  "block cursor-pointer rounded-md px-3 py-2 text-sm outline-none data-[highlighted]:bg-slate-100 dark:data-[highlighted]:bg-slate-800";

export function unreadLabel(count: number | undefined): string {
  if (count === undefined) return "Notifications";
  if (count === 0) return "Notifications, none unread";
  return `Notifications, ${count} unread`;
}

/** The latest few, fetched when the panel opens; the feed puts new ones on top. */
function LatestNotifications() {
  const { items, error } = useNotifications();
  const failure = errorText(error);
  if (failure)
    return (
      <p role="alert" className="px-3 py-2 text-sm text-red-700 dark:text-red-300">
        {failure}
      </p>
    );
  if (items === undefined)
    return (
      <div className="space-y-2 p-2">
        <Skeleton className="h-10" />
        <Skeleton className="h-10" />
      </div>
    );
  if (items.length === 0)
    return (
      <p className="px-3 py-4 text-center text-sm text-slate-500 dark:text-slate-400">
        Nothing yet. You will hear here when a document is indexed or someone adds you.
      </p>
    );
  return (
    <DropdownMenu.Group aria-label="Latest notifications">
      {items.slice(0, PANEL_SIZE).map((notification) => (
        <DropdownMenu.Item
          key={notification.id}
          asChild
          className={ITEM}
          data-testid="bell-notification"
        >
          <NotificationLink notification={notification}>
            <span className="flex items-start gap-2">
              <span
                aria-hidden
                className={
                  notification.read_at === null
                    ? "mt-1.5 h-2 w-2 shrink-0 rounded-full bg-brand-600 dark:bg-brand-100"
                    : "mt-1.5 h-2 w-2 shrink-0"
                }
              />
              <span className="min-w-0">
                <span className="block truncate font-medium text-slate-900 dark:text-slate-100">
                  {notification.title}
                  {notification.read_at === null && <span className="sr-only"> (unread)</span>}
                </span>
                <span className="line-clamp-2 block text-xs text-slate-600 dark:text-slate-400">
                  {notification.body}
                </span>
                <span className="block text-xs text-slate-500 dark:text-slate-400">
                  {timeAgo(notification.created_at)}
                </span>
              </span>
            </span>
          </NotificationLink>
        </DropdownMenu.Item>
      ))}
    </DropdownMenu.Group>
  );
}

/** The header's bell: the unread count, live from the feed, and a panel of the latest. */
export function NotificationBell() {
  useNotificationStream();
  const { data: count } = useUnreadCount();
  const badge = count === undefined || count === 0 ? null : count > 99 ? "99+" : String(count);
  return (
    <DropdownMenu.Root modal={false}>
      {/* Not modal: a modal menu hides the page from assistive technology with
          aria-hidden while its links stay focusable (axe: aria-hidden-focus). */}
      <DropdownMenu.Trigger
        aria-label={unreadLabel(count)}
        className="relative flex h-9 w-9 items-center justify-center rounded-lg text-slate-600 hover:bg-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:text-slate-300 dark:hover:bg-slate-800"
      >
        <svg
          aria-hidden
          viewBox="0 0 24 24"
          className="h-5 w-5"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {badge && (
          <span
            aria-hidden
            data-testid="unread-count"
            className="absolute -right-0.5 -top-0.5 min-w-[1.125rem] rounded-full bg-red-600 px-1 text-center text-[0.6875rem] font-semibold leading-[1.125rem] text-white"
          >
            {badge}
          </span>
        )}
      </DropdownMenu.Trigger>
      {/* Polite: a screen reader finishes what it is saying, then reads the new count. */}
      <span role="status" aria-live="polite" className="sr-only">
        {count ? `${count} unread notification${count === 1 ? "" : "s"}` : ""}
      </span>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="end"
          sideOffset={8}
          className="z-50 w-80 max-w-[calc(100vw-1rem)] rounded-lg border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-800 dark:bg-slate-900"
        >
          <DropdownMenu.Label className="px-3 py-1.5 text-xs font-medium text-slate-500 dark:text-slate-400">
            Notifications
          </DropdownMenu.Label>
          <LatestNotifications />
          <DropdownMenu.Separator className="my-1 h-px bg-slate-200 dark:bg-slate-800" />
          <DropdownMenu.Item asChild className={ITEM}>
            <Link href="/notifications" className="font-medium text-brand-700 dark:text-brand-100">
              See all notifications
            </Link>
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
