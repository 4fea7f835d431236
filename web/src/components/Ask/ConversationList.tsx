"use client";

import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Skeleton } from "@/components/ui/Skeleton";
import type { ConversationRead } from "@/lib/assistant";
import { cn } from "@/lib/cn";
import { formatDate } from "@/lib/format";

/** Past conversations: a sidebar on wide screens, a disclosure on narrow ones. */
export function ConversationList({
  conversations,
  activeId,
  error,
  hasMore,
  loading,
  onMore,
  onNew,
}: {
  conversations: ConversationRead[] | null;
  activeId: string | null;
  error: string | null;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  onNew: () => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <aside aria-label="Conversations" className="space-y-3 lg:sticky lg:top-20 lg:self-start">
      <div className="flex flex-wrap items-center justify-between gap-2 lg:flex-col lg:items-stretch">
        <h2 className="hidden text-sm font-semibold text-slate-700 dark:text-slate-300 lg:block">
          Conversations
        </h2>
        <button
          type="button"
          aria-expanded={open}
          aria-controls="conversation-history"
          onClick={() => setOpen((value) => !value)}
          className="inline-flex items-center gap-1 whitespace-nowrap rounded-lg px-2 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:text-slate-300 dark:hover:bg-slate-800 lg:hidden"
        >
          <svg
            aria-hidden
            viewBox="0 0 20 20"
            className={cn("h-4 w-4 transition-transform", open && "rotate-90")}
            fill="currentColor"
          >
            <path d="M7.2 4.2a1 1 0 0 1 1.4 0l5 5a1 1 0 0 1 0 1.4l-5 5a1 1 0 1 1-1.4-1.4L11.5 10 7.2 5.6a1 1 0 0 1 0-1.4Z" />
          </svg>
          Conversation history
        </button>
        <Button variant="secondary" className="h-9 whitespace-nowrap px-3" onClick={onNew}>
          New conversation
        </Button>
      </div>
      <nav
        id="conversation-history"
        aria-label="Conversation history"
        className={cn("lg:block", open ? "block" : "hidden")}
      >
        {error && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {error}
          </p>
        )}
        {conversations === null ? (
          !error && (
            <div aria-busy="true" aria-label="Loading conversations" className="space-y-2">
              {[0, 1, 2].map((key) => (
                <Skeleton key={key} className="h-12" />
              ))}
            </div>
          )
        ) : conversations.length === 0 ? (
          <p className="px-2 text-sm text-slate-500 dark:text-slate-400">
            Your questions will be kept here.
          </p>
        ) : (
          <ul className="max-h-[60vh] space-y-1 overflow-y-auto lg:max-h-[calc(100vh-12rem)]">
            {conversations.map((conversation) => (
              <li key={conversation.id}>
                <Link
                  href={`/ask/${conversation.id}`}
                  onClick={() => setOpen(false)}
                  aria-current={conversation.id === activeId ? "page" : undefined}
                  className={cn(
                    "block rounded-lg px-3 py-2 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
                    conversation.id === activeId
                      ? "bg-brand-50 text-brand-700 dark:bg-slate-800 dark:text-white"
                      : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
                  )}
                >
                  <span className="line-clamp-2 break-words font-medium">{conversation.title}</span>
                  <span
                    className={cn(
                      "block text-xs dark:text-slate-400",
                      // Muted slate-500 is too faint on the active entry's tint.
                      conversation.id === activeId ? "text-slate-600" : "text-slate-500",
                    )}
                  >
                    {formatDate(conversation.updated_at)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
        {hasMore && (
          <Button variant="ghost" className="mt-2 w-full" loading={loading} onClick={onMore}>
            Load older conversations
          </Button>
        )}
      </nav>
    </aside>
  );
}
