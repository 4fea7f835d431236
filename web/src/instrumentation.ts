import type { Instrumentation } from "next";
import { DATA_COLLECTION, reportingConfig, scrubEvent } from "@/lib/errorReporting";

/**
 * The Next.js server's error reporting, on the services' switch (`SIFT_SENTRY_DSN`, read
 * when the server starts). Without it the SDK is never imported.
 */
export async function register() {
  const config = reportingConfig(process.env);
  if (config && process.env.NEXT_RUNTIME === "nodejs") {
    const Sentry = await import("@sentry/nextjs");
    Sentry.init({
      dsn: config.dsn,
      environment: config.environment,
      release: config.release,
      dataCollection: DATA_COLLECTION,
      tracesSampleRate: 0,
      beforeSend: (event) => scrubEvent(event),
    });
  }
}

/** A server component's or route's error, with its route (Next.js calls this). */
export const onRequestError: Instrumentation.onRequestError = async (...args) => {
  if (reportingConfig(process.env) && process.env.NEXT_RUNTIME === "nodejs") {
    const Sentry = await import("@sentry/nextjs");
    Sentry.captureRequestError(...args);
  }
};
