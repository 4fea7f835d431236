"use client";

import Link from "next/link";
import { forwardRef, type AnchorHTMLAttributes, type MouseEvent, type Ref } from "react";
import { useMarkNotificationRead } from "@/hooks/notifications/mutations";
import type { NotificationRead } from "@/hooks/notifications/keys";
import { appPath } from "@/lib/links";

type Props = AnchorHTMLAttributes<HTMLElement> & { notification: NotificationRead };

/**
 * A notification's title: following its link marks it read (without waiting: the page it
 * opens should not) and navigates; without a link it is plain text. Props and ref reach
 * the element, so a menu item can be it (`asChild`).
 */
export const NotificationLink = forwardRef<HTMLElement, Props>(function NotificationLink(
  { notification, onClick, children, ...props },
  ref,
) {
  const markRead = useMarkNotificationRead();
  if (!notification.link)
    return (
      <span ref={ref} {...props}>
        {children}
      </span>
    );
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (notification.read_at === null) markRead.mutate(notification.id);
  };
  const path = appPath(notification.link);
  const anchorRef = ref as Ref<HTMLAnchorElement>;
  return path === null ? (
    <a
      ref={anchorRef}
      {...props}
      href={notification.link}
      target="_blank"
      rel="noopener noreferrer"
      onClick={follow}
    >
      {children}
    </a>
  ) : (
    <Link ref={anchorRef} {...props} href={path} onClick={follow}>
      {children}
    </Link>
  );
});
