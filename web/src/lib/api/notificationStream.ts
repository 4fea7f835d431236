// The live feed of `GET /api/notifications/stream` is text/event-stream behind the bearer
// token, which the browser's EventSource cannot send: this reads it with fetch (through
// `authFetch`, so a 401 renews the token once and replays) and `eventsource-parser`, and
// reconnects with `Last-Event-ID`. Only hooks/notifications calls it.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { useAuthStore } from "@/stores/auth";
import { authFetch } from "./client";
import type { components } from "./schema";

export type NotificationRead = components["schemas"]["NotificationRead"];

/** The events of the feed (see the notifications service's `inapp/stream.py`). */
export type NotificationEvent =
  | { type: "notification"; notification: NotificationRead }
  | { type: "unread_count"; count: number };

export const STREAM_PATH = "/api/notifications/stream";
const FIRST_RETRY_MS = 1_000;
const RETRY_CEILING_MS = 30_000;

/** How long to wait before the `attempt`th reconnection in a row: doubling, jittered. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_CEILING_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  // Half to all of it: tabs cut off together (a gateway restart) do not return together.
  return Math.round(ceiling * (0.5 + random() / 2));
}

function toNotificationEvent({ event, data }: EventSourceMessage): NotificationEvent | null {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof payload !== "object" || payload === null) return null;
  const body = payload as Record<string, unknown>;
  if (event === "notification" && typeof body.id === "string")
    return { type: "notification", notification: payload as NotificationRead };
  if (event === "unread_count" && typeof body.count === "number")
    return { type: "unread_count", count: body.count };
  return null; // an event this client does not know yet
}

const signedIn = () => useAuthStore.getState().accessToken !== null;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Resolves once the session holds a token other than `token`, or after `ms`. */
function tokenChange(token: string | null, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || useAuthStore.getState().accessToken !== token) return resolve();
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = useAuthStore.subscribe((state) => {
      if (state.accessToken !== token) done();
    });
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Feed one response's body to the parser until it ends (or `signal` aborts it). */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  onMessage: (message: EventSourceMessage) => void,
): Promise<void> {
  // The parser follows the WHATWG rules: CRLF/LF/CR, comments (heartbeats) skipped, chunks
  // split anywhere; an event the connection cuts before its blank line is dropped.
  const parser = createParser({ onEvent: onMessage });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener("abort", cancel, { once: true });
  try {
    for (let finished = false; !finished && !signal.aborted;) {
      const { value, done } = await reader.read();
      finished = done;
      parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
    }
  } finally {
    signal.removeEventListener("abort", cancel);
    cancel();
  }
}

export interface FollowOptions {
  onEvent: (event: NotificationEvent) => void;
  /** Ends the feed; so does signing out in this tab. */
  signal: AbortSignal;
  /** Resume after this event (a notification ID), as a reconnection does. */
  lastEventId?: string;
  /** The wait before the `attempt`th reconnection in a row that failed. */
  backoff?: (attempt: number) => number;
  /** How long a stream that ended waits for the session's renewed token at most. */
  renewalWaitMs?: number;
}

export const RENEWAL_WAIT_MS = 2_000;

/**
 * Follow the caller's feed until `signal` aborts or the tab signs out. The server ends a
 * stream when the access token it was opened with expires: the next one goes out with the
 * token the session has renewed meanwhile (at once; or once it has, waiting `renewalWaitMs`
 * at most, so that the feed never renews a token itself ahead of the session) and the last
 * event's ID, so nothing is missed. A stream that fails (network, 5xx, a refused renewal)
 * is retried with backoff.
 */
export async function followNotifications({
  onEvent,
  signal: outer,
  lastEventId: resumeAfter,
  backoff = backoffMs,
  renewalWaitMs = RENEWAL_WAIT_MS,
}: FollowOptions): Promise<void> {
  const controller = new AbortController();
  const signal = controller.signal;
  const abort = () => controller.abort();
  outer.addEventListener("abort", abort, { once: true });
  if (outer.aborted) abort();
  const unsubscribe = useAuthStore.subscribe((state) => {
    if (state.accessToken === null) abort();
  });
  let lastEventId = resumeAfter ?? "";
  let failures = 0;
  try {
    while (!signal.aborted && signedIn()) {
      let heard = false;
      let opened: string | null = null;
      try {
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        if (lastEventId) headers["Last-Event-ID"] = lastEventId;
        const request = new Request(new URL(STREAM_PATH, window.location.origin), {
          headers,
          credentials: "same-origin",
          cache: "no-store",
          signal,
        });
        const response = await authFetch(request);
        if (response.ok && response.body) {
          opened = useAuthStore.getState().accessToken; // a renewed one after a 401
          await readEvents(response.body, signal, (message) => {
            heard = true;
            // `id:` is on every event; an empty one means "nothing seen yet".
            if (message.id) lastEventId = message.id;
            const event = toNotificationEvent(message);
            if (event) onEvent(event);
          });
        } else {
          await response.body?.cancel().catch(() => undefined);
        }
      } catch {
        // Offline, the gateway restarting, or aborted: the loop decides.
      }
      // Every healthy stream starts with the unread count: one that said nothing failed.
      failures = heard ? 0 : failures + 1;
      if (failures > 0) await sleep(backoff(failures), signal);
      else await tokenChange(opened, renewalWaitMs, signal);
    }
  } finally {
    outer.removeEventListener("abort", abort);
    unsubscribe();
  }
}
