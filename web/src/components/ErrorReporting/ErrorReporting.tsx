"use client";

import { useEffect } from "react";
import {
  DATA_COLLECTION,
  scrubEvent,
  scrubValue,
  type ReportingConfig,
} from "@/lib/errorReporting";

type Sentry = typeof import("@sentry/nextjs");
let started: Promise<Sentry> | null = null;

/** Starts the browser SDK once, with the scrubber; its code is fetched only now. */
function startReporting(config: ReportingConfig): Promise<Sentry> {
  started ??= import("@sentry/nextjs").then((sdk) => {
    sdk.init({
      dsn: config.dsn,
      environment: config.environment,
      release: config.release,
      dataCollection: DATA_COLLECTION,
      tracesSampleRate: 0,
      beforeSend: (event) => scrubEvent(event),
      beforeBreadcrumb: (crumb) => scrubValue(crumb),
    });
    return sdk;
  });
  return started;
}

/** An error an error boundary caught (React keeps it from the SDK's global handlers). */
export function reportError(error: unknown): void {
  void started?.then((sdk) => sdk.captureException(error));
}

/** Rendered by the root layout only when the server has a DSN; renders nothing. */
export function ErrorReporting({ config }: { config: ReportingConfig }) {
  useEffect(() => {
    void startReporting(config);
  }, [config]);
  return null;
}
