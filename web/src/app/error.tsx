"use client";

import { ErrorPanel } from "@/components/ui/ErrorPanel";

export default function RootError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <main>
      <ErrorPanel reset={reset} digest={error.digest} />
    </main>
  );
}
