"use client";

import { useRouter } from "next/navigation";
import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Skeleton } from "@/components/ui/Skeleton";
import { useResource } from "@/hooks/useResource";
import { api, unwrap } from "@/lib/api/client";
import { signOutEverywhere } from "@/lib/auth/actions";
import { formatDate } from "@/lib/format";
import { describeUserAgent } from "@/lib/userAgent";
import { toastError, toastSuccess } from "@/stores/toast";

export function SessionList() {
  const router = useRouter();
  const { data, error, setData } = useResource(
    () => unwrap(api.GET("/api/auth/sessions")).then((page) => page.items),
    [],
  );

  const revoke = async (id: string) => {
    try {
      await unwrap(
        api.DELETE("/api/auth/sessions/{session_id}", { params: { path: { session_id: id } } }),
      );
      setData((current) => (current ?? []).filter((item) => item.id !== id));
      toastSuccess("Session signed out.");
    } catch (failure) {
      toastError(failure);
    }
  };

  const everywhere = async () => {
    try {
      await signOutEverywhere();
    } catch (failure) {
      toastError(failure);
    }
    router.replace("/sign-in");
  };

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
      {data === null && !error ? (
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
                  onClick={() => void revoke(session.id)}
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
