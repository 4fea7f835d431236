"use client";

import { notFound } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { DEV_MAIL_POLL_MS, isNotDevelopment, useDevMail } from "@/hooks/devMail/queries";
import { errorText } from "@/lib/api/problem";
import { cn } from "@/lib/cn";
import { formatDate } from "@/lib/format";
import { MailView } from "./MailView";

/** `/dev/mail`: the mail the development stack sent, as the local capture caught it. */
export function DevMailScreen() {
  const [live, setLive] = useState(true);
  const mail = useDevMail(live ? DEV_MAIL_POLL_MS : false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  // Not development: the route does not exist, for this page as for the API.
  if (isNotDevelopment(mail.error)) notFound();
  const error = errorText(mail.error);
  const items = mail.data;
  const selected = items?.find((item) => item.id === selectedId) ?? items?.[0];

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Development mail</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            What this stack sent, caught on this machine; nothing left it.
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <label className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
            <input
              type="checkbox"
              checked={live}
              onChange={(event) => setLive(event.target.checked)}
              className="h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500 dark:border-slate-700"
            />
            Refresh every {DEV_MAIL_POLL_MS / 1000} s
          </label>
          <Button
            variant="secondary"
            loading={mail.isFetching && !mail.isLoading}
            onClick={() => void mail.refetch()}
          >
            Refresh
          </Button>
        </div>
      </div>
      {error && <Alert>{error}</Alert>}
      {items === undefined ? (
        !error && <Skeleton className="h-64" />
      ) : items.length === 0 ? (
        <EmptyState title="No mail yet">
          Sign up, invite someone or ask for a password reset: the mail shows here.
        </EmptyState>
      ) : (
        <div className="grid gap-6 lg:grid-cols-[minmax(0,20rem)_minmax(0,1fr)]">
          <ul aria-label="Captured mail" className="space-y-1">
            {items.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  data-testid="mail-row"
                  aria-current={item.id === selected?.id ? "true" : undefined}
                  onClick={() => setSelectedId(item.id)}
                  className={cn(
                    "w-full rounded-lg border px-3 py-2 text-left focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
                    item.id === selected?.id
                      ? "border-brand-500 bg-brand-50 dark:bg-slate-800"
                      : "border-slate-200 bg-white hover:bg-slate-50 dark:border-slate-800 dark:bg-slate-900 dark:hover:bg-slate-800",
                  )}
                >
                  <span className="block truncate text-sm font-medium text-slate-900 dark:text-slate-100">
                    {item.subject || "(no subject)"}
                  </span>
                  <span className="block truncate text-xs text-slate-600 dark:text-slate-400">
                    {item.to.join(", ")}
                  </span>
                  <span className="block text-xs text-slate-500">
                    {formatDate(item.received_at)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {selected && <MailView mail={selected} />}
        </div>
      )}
    </div>
  );
}
