// A streamed answer is text/event-stream, which openapi-fetch cannot read: this is the one
// request outside `api`, made through the same `authFetch`. Only hooks/assistant calls it.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { authFetch } from "./client";
import { ApiError, errorFromResponse, toApiError } from "./problem";
import type { components } from "./schema";

export type AskRequest = components["schemas"]["AskRequest"];
export type AnswerRead = components["schemas"]["AnswerRead"];
export type CitationRead = components["schemas"]["CitationRead"];

/** The events of a streamed answer (see the assistant's `POST /api/assistant/ask`). */
export type AskEvent =
  | { type: "token"; text: string }
  | { type: "restart"; provider: string; reason: string }
  | { type: "citations"; citations: CitationRead[]; dropped: number }
  | { type: "done"; answer: AnswerRead }
  | { type: "error"; error: ApiError };

function toAskEvent({ event = "message", data }: EventSourceMessage): AskEvent | null {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return null;
  }
  const body = (payload ?? {}) as Record<string, unknown>;
  switch (event) {
    case "token":
      return { type: "token", text: typeof body.text === "string" ? body.text : "" };
    case "restart":
      return {
        type: "restart",
        provider: String(body.provider ?? ""),
        reason: String(body.reason ?? ""),
      };
    case "citations":
      return {
        type: "citations",
        citations: Array.isArray(body.citations) ? (body.citations as CitationRead[]) : [],
        dropped: typeof body.dropped === "number" ? body.dropped : 0,
      };
    case "done":
      return { type: "done", answer: payload as AnswerRead };
    case "error":
      return { type: "error", error: toApiError(Number(body.status) || 500, body) };
    default:
      return null; // an event this client does not know yet
  }
}

/** "1 min 5 s" from seconds. */
export function formatWait(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/** A quota answer names its wait (`Retry-After`, seconds) in words the reader can act on. */
async function askFailure(response: Response): Promise<ApiError> {
  const error = await errorFromResponse(response);
  // The organization's monthly quota says itself when it resets and who can raise it.
  if (response.status !== 429 || error.type.endsWith("/monthly-quota-exceeded")) return error;
  const wait = Number(response.headers.get("retry-after"));
  const when = Number.isFinite(wait) && wait > 0 ? `in ${formatWait(wait)}` : "in a moment";
  return new ApiError(
    429,
    error.title,
    `You have reached your limit of questions for now. Try again ${when}.`,
    error.type,
  );
}

/**
 * Ask, and yield the answer's events as they arrive. Goes through `authFetch` (the
 * in-memory token, refresh and replay on 401). Throws an ApiError when the request is
 * refused before streaming; `signal` aborts the request and the stream.
 */
export async function* askStream(
  body: Omit<AskRequest, "stream">,
  signal?: AbortSignal,
): AsyncGenerator<AskEvent> {
  const request = new Request(new URL("/api/assistant/ask", window.location.origin), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify({ ...body, stream: true } satisfies AskRequest),
    credentials: "same-origin",
    signal,
  });
  const response = await authFetch(request);
  if (!response.ok) throw await askFailure(response);
  if (!response.body) throw new ApiError(502, "No answer", "The answer could not be read.");
  const queue: AskEvent[] = [];
  // The parser follows the WHATWG event-stream rules (CRLF/LF/CR, comments as pings,
  // chunks split anywhere); an event the stream cuts before its blank line is dropped.
  const parser = createParser({
    onEvent: (message) => {
      const event = toAskEvent(message);
      if (event) queue.push(event);
    },
  });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  // Aborting ends a pending read too, whatever the fetch implementation does with the body.
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    for (let finished = false; !finished;) {
      const { value, done } = await reader.read();
      finished = done;
      parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      while (queue.length > 0) {
        const event = queue.shift()!;
        yield event;
        if (event.type === "done" || event.type === "error") return;
      }
    }
  } finally {
    signal?.removeEventListener("abort", cancel);
    cancel();
  }
  signal?.throwIfAborted();
  throw new ApiError(502, "Answer interrupted", "The answer was interrupted. Please ask again.");
}
