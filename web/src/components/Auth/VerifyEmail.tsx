"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useRef } from "react";
import { Alert } from "@/components/ui/Alert";
import { Skeleton } from "@/components/ui/Skeleton";
import { useVerifyEmail } from "@/hooks/auth/mutations";
import { messageOf } from "@/lib/api/problem";

type State = { kind: "checking" } | { kind: "verified" } | { kind: "failed"; message: string };

export function VerifyEmail() {
  const token = useSearchParams().get("token");
  const verify = useVerifyEmail();
  const { mutate } = verify;
  const sent = useRef(false);

  useEffect(() => {
    // A link token works once: React's development double effect must not spend it twice.
    if (sent.current || !token) return;
    sent.current = true;
    mutate(token);
  }, [token, mutate]);

  const state: State = !token
    ? { kind: "failed", message: "This link is incomplete." }
    : verify.isSuccess
      ? { kind: "verified" }
      : verify.isError
        ? { kind: "failed", message: messageOf(verify.error) }
        : { kind: "checking" };

  if (state.kind === "checking") {
    return (
      <div aria-busy="true" aria-label="Checking the link" className="space-y-2">
        <Skeleton className="h-4 w-full" />
        <Skeleton className="h-4 w-2/3" />
      </div>
    );
  }
  if (state.kind === "failed") {
    return (
      <div className="space-y-3 text-sm">
        <Alert>{state.message}</Alert>
        <p className="text-slate-600 dark:text-slate-400">
          Links expire after a while. Sign in and ask for a new one from your settings.
        </p>
      </div>
    );
  }
  return (
    <div role="status" className="space-y-2 text-sm text-slate-700 dark:text-slate-300">
      <p className="font-medium text-slate-900 dark:text-slate-100">Your e-mail is verified</p>
      <p>
        <Link
          href="/collections"
          className="font-medium text-brand-600 hover:underline dark:text-brand-100"
        >
          Continue to Sift
        </Link>
      </p>
    </div>
  );
}
