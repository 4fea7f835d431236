import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cancelScheduledRefresh } from "./session";
import { useAuthStore } from "@/stores/auth";
import {
  backoffMs,
  followNotifications,
  type NotificationEvent,
  type NotificationRead,
} from "./notificationStream";

const encoder = new TextEncoder();

/** A text/event-stream body whose chunks the test writes, raw, one at a time. */
function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    response: new Response(body, { headers: { "content-type": "text/event-stream" } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
  };
}

const notification = (id: string): NotificationRead => ({
  id,
  type: "document_indexed",
  title: "Document ready",
  body: "“notes.md” is indexed and can be searched.",
  link: "/documents/d1",
  priority: "normal",
  created_at: "2026-01-01T10:00:00Z",
  read_at: null,
});

const sent = (fetchMock: ReturnType<typeof vi.fn<typeof fetch>>, call: number) =>
  fetchMock.mock.calls[call]![0] as Request;

describe("followNotifications", () => {
  const fetchMock = vi.fn<typeof fetch>();
  let controller: AbortController;
  let events: NotificationEvent[];
  const follow = (
    options: {
      backoff?: (attempt: number) => number;
      lastEventId?: string;
      renewalWaitMs?: number;
    } = {},
  ) =>
    followNotifications({
      signal: controller.signal,
      onEvent: (event) => events.push(event),
      backoff: () => 0,
      renewalWaitMs: 0,
      ...options,
    });

  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    useAuthStore.setState({ accessToken: "token", status: "authenticated", user: null });
    document.cookie = "sift_csrf=csrf-value; path=/";
    controller = new AbortController();
    events = [];
  });
  afterEach(() => {
    controller.abort();
    cancelScheduledRefresh();
    fetchMock.mockReset();
    vi.unstubAllGlobals();
  });

  it("reads the feed with the bearer token: events split anywhere, heartbeats skipped", async () => {
    const stream = controlledStream();
    fetchMock.mockResolvedValueOnce(stream.response);
    const done = follow();

    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    const request = sent(fetchMock, 0);
    expect(new URL(request.url).pathname).toBe("/api/notifications/stream");
    expect(request.headers.get("Authorization")).toBe("Bearer token");
    expect(request.headers.get("Accept")).toBe("text/event-stream");
    expect(request.headers.has("Last-Event-ID")).toBe(false);

    stream.write('event: unread_count\r\nid: \r\ndata: {"count": 0}\r\n\r\n: ping\r\n\r\n');
    const item = JSON.stringify(notification("n1"));
    stream.write(`event: notification\nid: n1\ndata: ${item.slice(0, 20)}`);
    stream.write(`${item.slice(20)}\n\nevent: unread_count\nid: n1\ndata: {"count": 1}\n\n`);
    stream.write('event: something_new\ndata: {"x": 1}\n\nevent: notification\ndata: not json\n\n');
    await vi.waitFor(() => expect(events).toHaveLength(3));
    expect(events).toEqual([
      { type: "unread_count", count: 0 },
      { type: "notification", notification: notification("n1") },
      { type: "unread_count", count: 1 },
    ]);
    controller.abort();
    await done;
  });

  it("reconnects when the server ends the stream, resuming after the last event's ID", async () => {
    const first = controlledStream();
    const second = controlledStream();
    fetchMock.mockResolvedValueOnce(first.response).mockResolvedValueOnce(second.response);
    const done = follow({ renewalWaitMs: 60_000 }); // the token is renewed: no wait
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    expect(sent(fetchMock, 0).headers.get("Authorization")).toBe("Bearer token");

    first.write(`event: notification\nid: n7\ndata: ${JSON.stringify(notification("n7"))}\n\n`);
    first.write('event: unread_count\nid: n7\ndata: {"count": 3}\n\n');
    await vi.waitFor(() => expect(events).toHaveLength(2));
    // The token the stream was opened with expired: the session has a new one by now.
    useAuthStore.setState({ accessToken: "renewed" });
    first.close();

    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2));
    expect(sent(fetchMock, 1).headers.get("Last-Event-ID")).toBe("n7");
    expect(sent(fetchMock, 1).headers.get("Authorization")).toBe("Bearer renewed");
    second.write('event: unread_count\nid: n7\ndata: {"count": 2}\n\n');
    await vi.waitFor(() => expect(events.at(-1)).toEqual({ type: "unread_count", count: 2 }));
    controller.abort();
    await done;
  });

  it("waits for the session's renewed token before it reconnects, never renewing it itself", async () => {
    const first = controlledStream();
    const second = controlledStream();
    fetchMock.mockResolvedValueOnce(first.response).mockResolvedValueOnce(second.response);
    const done = follow({ renewalWaitMs: 60_000 });
    first.write('event: unread_count\nid: \ndata: {"count": 0}\n\n');
    first.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fetchMock).toHaveBeenCalledTimes(1);

    useAuthStore.setState({ accessToken: "renewed" });
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2));
    expect(sent(fetchMock, 1).headers.get("Authorization")).toBe("Bearer renewed");
    controller.abort();
    await done;
  });

  it("starts after the ID it is given", async () => {
    const stream = controlledStream();
    fetchMock.mockResolvedValueOnce(stream.response);
    const done = follow({ lastEventId: "n3" });
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    expect(sent(fetchMock, 0).headers.get("Last-Event-ID")).toBe("n3");
    controller.abort();
    await done;
  });

  it("renews the token on a 401 and opens the stream with the new one", async () => {
    const stream = controlledStream();
    fetchMock
      .mockResolvedValueOnce(new Response(null, { status: 401 }))
      .mockResolvedValueOnce(
        new Response(JSON.stringify({ access_token: "fresh", expires_in: 600 }), {
          status: 200,
          headers: { "content-type": "application/json" },
        }),
      )
      .mockResolvedValueOnce(stream.response);
    const done = follow();

    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(3));
    expect(fetchMock.mock.calls[1]![0]).toBe("/api/auth/refresh");
    expect(sent(fetchMock, 2).headers.get("Authorization")).toBe("Bearer fresh");
    stream.write('event: unread_count\nid: \ndata: {"count": 4}\n\n');
    await vi.waitFor(() => expect(events).toEqual([{ type: "unread_count", count: 4 }]));
    controller.abort();
    await done;
  });

  it("stops when the renewal is refused: the session is over", async () => {
    fetchMock
      .mockResolvedValueOnce(new Response(null, { status: 401 }))
      .mockResolvedValueOnce(new Response(null, { status: 401 }));
    await follow(); // returns by itself
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(useAuthStore.getState().status).toBe("anonymous");
  });

  it("stops when the tab signs out, mid-stream", async () => {
    const stream = controlledStream();
    fetchMock.mockResolvedValueOnce(stream.response);
    const done = follow();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    useAuthStore.getState().clear();
    await done;
    expect(sent(fetchMock, 0).signal.aborted).toBe(true);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("backs off after failures, longer each time, and starts over once a stream works", async () => {
    const working = controlledStream();
    const last = controlledStream();
    fetchMock
      .mockRejectedValueOnce(new TypeError("Failed to fetch"))
      .mockResolvedValueOnce(new Response("{}", { status: 503 }))
      .mockResolvedValueOnce(working.response)
      .mockRejectedValueOnce(new TypeError("Failed to fetch"))
      .mockResolvedValueOnce(last.response);
    const waits: number[] = [];
    const done = follow({
      backoff: (attempt) => {
        waits.push(attempt);
        return 1;
      },
    });
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(3));
    expect(waits).toEqual([1, 2]);
    working.write('event: unread_count\nid: \ndata: {"count": 0}\n\n');
    working.close();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(5));
    expect(waits).toEqual([1, 2, 1]);
    expect(events).toHaveLength(1);
    controller.abort();
    await done;
  });
});

describe("backoffMs", () => {
  it("doubles from a second up to thirty, between half and all of it", () => {
    expect(backoffMs(1, () => 1)).toBe(1_000);
    expect(backoffMs(1, () => 0)).toBe(500);
    expect(backoffMs(3, () => 1)).toBe(4_000);
    expect(backoffMs(20, () => 1)).toBe(30_000);
  });
});
