"use client";

import { useEffect } from "react";
import { reportError } from "@/components/ErrorReporting/ErrorReporting";
import { ErrorPanel } from "@/components/ui/ErrorPanel";

export default function RootError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  useEffect(() => reportError(error), [error]);
  return (
    <main>
      <ErrorPanel reset={reset} digest={error.digest} />
    </main>
  );
}
