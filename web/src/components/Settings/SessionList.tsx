"use client";

import { useRouter } from "next/navigation";
import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Skeleton } from "@/components/ui/Skeleton";
import { useRevokeSession, useSignOut } from "@/hooks/auth/mutations";
import { useSessions } from "@/hooks/auth/queries";
import { errorText } from "@/lib/api/problem";
import { formatDate } from "@/lib/format";
import { describeUserAgent } from "@/lib/userAgent";
import { toastSuccess } from "@/stores/toast";

export function SessionList() {
  const router = useRouter();
  const sessions = useSessions();
  const { data } = sessions;
  const error = errorText(sessions.error);
  const revokeSession = useRevokeSession();
  const signOut = useSignOut();

  // Failures are toasted by the hooks.
  const revoke = (id: string) =>
    revokeSession.mutate(id, { onSuccess: () => toastSuccess("Session signed out.") });

  // Not `mutate`'s callbacks: signing out unmounts this page, and they would not run.
  const everywhere = () =>
    signOut
      .mutateAsync({ everywhere: true })
      .catch(() => undefined)
      .then(() => router.replace("/sign-in"));

  return (
    <Card
      title="Sessions"
      description="Where your account is signed in. Sign out any device you do not recognize."
      actions={
        <Button variant="secondary" onClick={everywhere}>
          Sign out everywhere
        </Button>
      }
    >
      {error && <Alert>{error}</Alert>}
      {data === undefined && !error ? (
        <div className="space-y-2">
          <Skeleton className="h-14" />
          <Skeleton className="h-14" />
        </div>
      ) : (
        <ul
          aria-label="Active sessions"
          className="divide-y divide-slate-200 dark:divide-slate-800"
        >
          {(data ?? []).map((session) => (
            <li
              key={session.id}
              data-testid="session-row"
              className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between"
            >
              <div className="min-w-0">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                  {session.device || describeUserAgent(session.user_agent)}
                  {session.current && <Badge tone="info">This device</Badge>}
                </p>
                <p className="text-xs text-slate-500 dark:text-slate-400">
                  {session.ip ?? "Unknown address"} · last active {formatDate(session.last_used_at)}{" "}
                  · signed in {formatDate(session.created_at)}
                </p>
              </div>
              {!session.current && (
                <Button
                  variant="secondary"
                  className="h-8 self-start sm:self-auto"
                  aria-label={`Sign out ${session.device || describeUserAgent(session.user_agent)} (${session.ip ?? "unknown address"})`}
                  onClick={() => revoke(session.id)}
                >
                  Sign out
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
