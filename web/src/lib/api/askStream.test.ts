import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { askStream, formatWait, type AskEvent } from "./askStream";
import { ApiError } from "./problem";

const encoder = new TextEncoder();

/** A text/event-stream body whose chunks the test releases one at a time. */
function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    response: new Response(body, { headers: { "content-type": "text/event-stream" } }),
    send: (event: string, data: unknown) =>
      controller.enqueue(
        encoder.encode(`event: ${event}\r\ndata: ${JSON.stringify(data)}\r\n\r\n`),
      ),
    close: () => controller.close(),
  };
}

const answer = {
  conversation_id: "c1",
  message_id: "m1",
  answer: "Otters hold hands [1].",
  citations: [],
  provider: "local",
  model: "extractive-mmr-v1",
  grounded: true,
  unsupported_sentences: [],
  dropped_citations: 0,
  retrieval_query: "otters",
  cached: false,
  latency_ms: 12,
  usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0 },
};

describe("askStream", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    useAuthStore.setState({ accessToken: "token", status: "authenticated", user: null });
  });
  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
  });

  it("posts the question for SSE with the access token and yields events as they arrive", async () => {
    const stream = controlledStream();
    fetchMock.mockResolvedValueOnce(stream.response);
    const events = askStream({ question: "Do otters hold hands?", conversation_id: null });

    const first = events.next();
    stream.send("token", { text: "Otters " });
    expect((await first).value).toEqual({ type: "token", text: "Otters " });
    const request = fetchMock.mock.calls[0]![0] as Request;
    expect(new URL(request.url).pathname).toBe("/api/assistant/ask");
    expect(request.headers.get("Accept")).toBe("text/event-stream");
    expect(request.headers.get("Authorization")).toBe("Bearer token");
    expect(await request.json()).toEqual({
      question: "Do otters hold hands?",
      conversation_id: null,
      stream: true,
    });

    stream.send("restart", { provider: "openai", reason: "timeout" });
    stream.send("token", { text: "Otters hold hands [1]." });
    stream.send("citations", { citations: [{ n: 1 }], dropped: 0 });
    stream.send("done", answer);
    const rest: AskEvent[] = [];
    for await (const event of events) rest.push(event);
    expect(rest.map((event) => event.type)).toEqual(["restart", "token", "citations", "done"]);
    expect(rest[3]).toEqual({ type: "done", answer });
  });

  it("reads events however the network splits them, pings and CRLFs included", async () => {
    const text =
      ': ping\r\n\r\nevent: token\r\ndata: {"text":"Hi"}\r\n\r\n' +
      `event: done\ndata: ${JSON.stringify(answer)}\n\n`;
    for (let cut = 1; cut < text.length; cut += 3) {
      const chunks = [text.slice(0, cut), text.slice(cut)].map((part) => encoder.encode(part));
      const body = new ReadableStream<Uint8Array>({
        start: (controller) => {
          chunks.forEach((chunk) => controller.enqueue(chunk));
          controller.close();
        },
      });
      fetchMock.mockResolvedValueOnce(new Response(body));
      const events: AskEvent[] = [];
      for await (const event of askStream({ question: "q" })) events.push(event);
      expect(events).toEqual([
        { type: "token", text: "Hi" },
        { type: "done", answer },
      ]);
    }
  });

  it("turns an error event into a readable ApiError", async () => {
    const stream = controlledStream();
    fetchMock.mockResolvedValueOnce(stream.response);
    stream.send("error", {
      type: "https://sift.dev/problems/no-provider",
      title: "No answer provider available",
      status: 503,
      detail: "Every answer provider failed; try again shortly.",
    });
    const events: AskEvent[] = [];
    for await (const event of askStream({ question: "q" })) events.push(event);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.type === "error" && event.error.message).toBe(
      "Every answer provider failed; try again shortly.",
    );
  });

  it("says when to retry after a quota refusal", async () => {
    fetchMock.mockResolvedValueOnce(
      new Response(JSON.stringify({ title: "Too many requests", status: 429, detail: "x" }), {
        status: 429,
        headers: { "content-type": "application/problem+json", "retry-after": "75" },
      }),
    );
    const failure = askStream({ question: "q" }).next();
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toThrow(
      "You have reached your limit of questions for now. Try again in 1 min 15 s.",
    );
  });

  it("shows the monthly quota's own sentence: its wait is weeks, not a moment", async () => {
    const detail =
      "Your organization has used its 1 AI answers for this month; the quota resets on 01 January 2027 (UTC).";
    fetchMock.mockResolvedValueOnce(
      new Response(
        JSON.stringify({
          type: "https://sift.example/problems/monthly-quota-exceeded",
          title: "Monthly AI quota used up",
          status: 429,
          detail,
        }),
        {
          status: 429,
          headers: { "content-type": "application/problem+json", "retry-after": "2000000" },
        },
      ),
    );
    await expect(askStream({ question: "q" }).next()).rejects.toThrow(detail);
  });

  it("fails when the stream ends before the answer is done", async () => {
    const stream = controlledStream();
    fetchMock.mockResolvedValueOnce(stream.response);
    stream.send("token", { text: "Half" });
    stream.close();
    const events = askStream({ question: "q" });
    expect((await events.next()).value).toEqual({ type: "token", text: "Half" });
    await expect(events.next()).rejects.toThrow("The answer was interrupted. Please ask again.");
  });
});

describe("formatWait", () => {
  it("reads as seconds, then minutes", () => {
    expect(formatWait(0.2)).toBe("1 s");
    expect(formatWait(59)).toBe("59 s");
    expect(formatWait(120)).toBe("2 min");
  });
});
