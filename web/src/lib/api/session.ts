// The session's token refresh calls the API from outside any hook: the client (on a 401),
// uploads and the ask stream need it mid-request, and a timer renews the token ahead of
// expiry. It uses plain fetch, as `api` itself depends on it.
import { useAuthStore } from "@/stores/auth";
import type { components } from "@/lib/api/schema";
import { readCsrfToken } from "@/lib/auth/csrf";

type AccessTokenRead = components["schemas"]["AccessTokenRead"];

// Refresh this long before the access token expires, so no call ever carries a dead one;
// a short-lived token is renewed at three quarters of its life instead.
export const REFRESH_LEAD_MS = 60_000;

let inFlight: Promise<string | null> | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

export function cancelScheduledRefresh(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
}

function refreshIn(delayMs: number): void {
  cancelScheduledRefresh();
  timer = setTimeout(() => void refreshAccessToken(), delayMs);
}

export function scheduleRefresh(expiresInSeconds: number): void {
  const lifetime = expiresInSeconds * 1000;
  refreshIn(Math.max(lifetime - Math.min(REFRESH_LEAD_MS, lifetime / 4), 5_000));
}

// When the server cannot renew now (429 or 5xx) and does not say when to come back.
export const RETRY_WITHOUT_HINT_MS = 5_000;
const RETRY_CEILING_MS = 60_000;

function retryDelayMs(response: Response): number {
  const seconds = Number(response.headers.get("Retry-After") ?? Number.NaN);
  if (!Number.isFinite(seconds) || seconds < 0) return RETRY_WITHOUT_HINT_MS;
  return Math.min(Math.max(seconds * 1000, 1_000), RETRY_CEILING_MS);
}

/** Store a fresh access token and plan its silent renewal. */
export function acceptToken(accessToken: string, expiresInSeconds: number): void {
  useAuthStore.getState().setToken(accessToken, expiresInSeconds);
  scheduleRefresh(expiresInSeconds);
}

async function doRefresh(): Promise<string | null> {
  const csrf = readCsrfToken();
  if (!csrf) {
    useAuthStore.getState().clear();
    return null;
  }
  try {
    const response = await fetch("/api/auth/refresh", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf },
    });
    if (response.status === 429 || response.status >= 500) {
      // A rate limit, an overloaded or restarting service: nothing says the session is over
      // (every user behind one office address shares the refresh limit), so keep it and ask
      // again when the server says; signing the user out here would lose their work.
      refreshIn(retryDelayMs(response));
      return null;
    }
    if (!response.ok) {
      cancelScheduledRefresh();
      useAuthStore.getState().clear();
      return null;
    }
    const body = (await response.json()) as AccessTokenRead;
    acceptToken(body.access_token, body.expires_in);
    return body.access_token;
  } catch {
    // Offline or the gateway is restarting: keep the session, try again shortly.
    refreshIn(RETRY_WITHOUT_HINT_MS);
    return null;
  }
}

// The tabs of one browser share the refresh cookie: they renew one at a time, so that no
// tab sends a token another tab has just rotated (which would revoke the whole session).
export const REFRESH_LOCK = "sift-refresh";

async function oneTabAtATime<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  if (!locks) return work();
  return await locks.request(REFRESH_LOCK, work);
}

/**
 * Trade the refresh cookie for a new access token. Concurrent callers share one request:
 * the server rotates the refresh token, and a second use of the old one would revoke
 * the whole session.
 */
export function refreshAccessToken(): Promise<string | null> {
  inFlight ??= oneTabAtATime(doRefresh).finally(() => {
    inFlight = null;
  });
  return inFlight;
}
