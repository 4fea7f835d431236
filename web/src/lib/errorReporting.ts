/**
 * Error reporting to Sentry, the web app's side of the services' switch: nothing is loaded
 * unless the server has `SIFT_SENTRY_DSN` (docs/operations.md). The SDK is imported only
 * then (src/components/ErrorReporting, src/instrumentation.ts), and every event passes
 * `scrubEvent` before it leaves. This module itself imports nothing of the SDK.
 */

// Types only: erased from the bundle.
type InitOptions = NonNullable<Parameters<(typeof import("@sentry/nextjs"))["init"]>[0]>;

export type ReportingConfig = { dsn: string; environment?: string; release?: string };

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const TOKEN = /[Bb]earer\s+[\w.~+/=-]+|eyJ[\w-]+\.[\w-]+\.[\w-]*|\bsift_[0-9a-f]{12}_[\w-]+/g;
// Request headers that carry credentials or who the caller is; dropped whole.
const PRIVATE_HEADERS = new Set(["authorization", "cookie", "set-cookie", "x-api-key"]);

export function scrubText(text: string): string {
  return text.replace(EMAIL, "[email]").replace(TOKEN, "[token]");
}

/** Every string inside `value` through `scrubText`. */
export function scrubValue<T>(value: T): T {
  if (typeof value === "string") return scrubText(value) as T;
  if (Array.isArray(value)) return value.map(scrubValue) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, scrubValue(item)]),
    ) as T;
  }
  return value;
}

/** The request without cookies, body, query or credentials; e-mails and tokens replaced. */
export function scrubEvent<E extends { request?: object; user?: unknown }>(event: E): E {
  const copy: Record<string, unknown> = { ...event };
  delete copy.user;
  if (event.request) {
    const request: Record<string, unknown> = { ...event.request };
    for (const key of ["cookies", "data", "query_string"]) delete request[key];
    if (typeof request.url === "string") request.url = request.url.split("?")[0];
    const headers = (request.headers ?? {}) as Record<string, string>;
    request.headers = Object.fromEntries(
      Object.entries(headers).filter(([name]) => !PRIVATE_HEADERS.has(name.toLowerCase())),
    );
    copy.request = request;
  }
  return scrubValue(copy) as E;
}

/** What the SDK may collect at all (version 11's successor of `sendDefaultPii: false`). */
export const DATA_COLLECTION: InitOptions["dataCollection"] = {
  userInfo: false,
  cookies: false,
  httpHeaders: { request: { deny: [...PRIVATE_HEADERS] }, response: false },
  httpBodies: [],
  urlQueryParams: false,
  genAI: { inputs: false, outputs: false },
  databaseQueryData: false,
  stackFrameVariables: false,
};

/** The origin the browser sends events to, for the CSP's connect-src. */
export function reportingOrigin(dsn: string | undefined): string | undefined {
  if (!dsn) return undefined;
  try {
    return new URL(dsn).origin;
  } catch {
    return undefined;
  }
}

/** The server's settings, read when it runs (the same image serves every environment). */
export function reportingConfig(env: Record<string, string | undefined>): ReportingConfig | null {
  const dsn = env.SIFT_SENTRY_DSN;
  if (!dsn) return null;
  return {
    dsn,
    environment: env.SIFT_SENTRY_ENVIRONMENT || env.SIFT_ENV || "development",
    release: env.SIFT_SENTRY_RELEASE || undefined,
  };
}
