"use client";

import { ErrorPanel } from "@/components/ui/ErrorPanel";

/** Inside the workspace: the shell (navigation, menus) stays usable around the failure. */
export default function WorkspaceError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return <ErrorPanel reset={reset} digest={error.digest} />;
}
