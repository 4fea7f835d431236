import createClient from "openapi-fetch";
import { useAuthStore } from "@/stores/auth";
import { refreshAccessToken } from "./session";
import type { paths } from "./schema";
import { errorFromResponse, toApiError } from "./problem";

// The typed API client. Only the hooks in src/hooks/<domain>/ import it (components and
// pages may not: eslint.config.mjs); it lives here because every request needs the
// session's token and its refresh.

// Cookie-authenticated calls: they must not be retried with a bearer token.
const NO_RETRY_PATHS = [
  "/api/auth/refresh",
  "/api/auth/logout",
  "/api/auth/login",
  "/api/auth/signup",
];

function withToken(request: Request, token: string | null): Request {
  const next = new Request(request);
  if (token) next.headers.set("Authorization", `Bearer ${token}`);
  return next;
}

/**
 * fetch with the in-memory access token; on 401 it refreshes once (through the cookie)
 * and replays the request. A second 401 means the session is over.
 */
export async function authFetch(input: Request): Promise<Response> {
  const retryable = !NO_RETRY_PATHS.some((path) => new URL(input.url).pathname === path);
  const replay = retryable ? input.clone() : null;
  const response = await fetch(withToken(input, useAuthStore.getState().accessToken));
  if (response.status !== 401 || replay === null) return response;
  const token = await refreshAccessToken();
  if (token === null) return response;
  return fetch(withToken(replay, token));
}

function origin(): string {
  return typeof window === "undefined" ? "http://localhost" : window.location.origin;
}

export const api = createClient<paths>({
  baseUrl: origin(),
  fetch: authFetch,
  credentials: "same-origin",
});

/** Unwrap an openapi-fetch result: the data, or a thrown ApiError built from the problem. */
export async function unwrap<T>(
  promise: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await promise;
  if (response.ok) return data as T;
  if (error !== undefined) return Promise.reject(toApiError(response.status, error));
  return Promise.reject(await errorFromResponse(response));
}
