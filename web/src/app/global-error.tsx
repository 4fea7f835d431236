"use client";

import { useEffect } from "react";
import { reportError } from "@/components/ErrorReporting/ErrorReporting";
import { ErrorPanel } from "@/components/ui/ErrorPanel";
import "./globals.css";

/** The root layout itself failed: render a whole document. */
export default function GlobalError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  useEffect(() => reportError(error), [error]);
  return (
    <html lang="en">
      <body className="min-h-screen">
        <ErrorPanel reset={reset} digest={error.digest} />
      </body>
    </html>
  );
}
