"use client";

import { useEffect } from "react";
import { reportError } from "@/components/ErrorReporting/ErrorReporting";
import { ErrorPanel } from "@/components/ui/ErrorPanel";

/** Inside the workspace: the shell (navigation, menus) stays usable around the failure. */
export default function WorkspaceError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  useEffect(() => reportError(error), [error]);
  return <ErrorPanel reset={reset} digest={error.digest} />;
}
