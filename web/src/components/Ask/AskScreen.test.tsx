import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { AskScreen } from "./AskScreen";
import { renderWithQuery as render } from "@/test/query";

const router = { replace: vi.fn(), push: vi.fn() };
const params: { conversationId?: string } = {};
vi.mock("next/navigation", () => ({
  useRouter: () => router,
  useParams: () => params,
  usePathname: () => "/ask",
}));

const encoder = new TextEncoder();
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    response: new Response(body, { headers: { "content-type": "text/event-stream" } }),
    send: (event: string, data: unknown) =>
      controller.enqueue(
        encoder.encode(`event: ${event}\r\ndata: ${JSON.stringify(data)}\r\n\r\n`),
      ),
  };
}

const QUOTE = "Sea otters hold hands while they sleep.";
const citation = {
  n: 1,
  document_id: "d1",
  document_title: "Otter facts",
  chunk_id: "k1",
  collection_id: "col1",
  page: 2,
  start_char: 10,
  end_char: 49,
  quote: QUOTE,
};
const done = (patch: object = {}) => ({
  conversation_id: "c1",
  message_id: "m1",
  answer: "Sea otters hold hands while they sleep [1].",
  citations: [citation],
  provider: "local",
  model: "extractive-mmr-v1",
  grounded: true,
  unsupported_sentences: [],
  dropped_citations: 0,
  retrieval_query: "otters",
  cached: false,
  latency_ms: 5,
  usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0 },
  ...patch,
});

describe("AskScreen", () => {
  const fetchMock = vi.fn<typeof fetch>();
  let stream: ReturnType<typeof controlledStream>;
  let askResponse: () => Response;
  const bodies: Record<string, unknown[]> = {};

  beforeEach(() => {
    stream = controlledStream();
    askResponse = () => stream.response;
    vi.stubGlobal("fetch", fetchMock);
    // As in Chromium, where scroll methods return a promise (never an effect's cleanup).
    Element.prototype.scrollIntoView = vi.fn(() => Promise.resolve()) as never;
    useAuthStore.setState({ accessToken: "t", status: "authenticated", user: null });
    fetchMock.mockImplementation(async (input) => {
      const request = input as Request;
      const route = `${request.method} ${new URL(request.url).pathname}`;
      if (request.method === "POST") (bodies[route] ??= []).push(await request.clone().json());
      if (route === "GET /api/assistant/conversations")
        return json(200, { items: [], next_cursor: null });
      if (route === "POST /api/assistant/ask") return askResponse();
      if (route === "POST /api/search")
        return json(200, {
          items: [
            { chunk_id: "other", text: "Not this one." },
            { chunk_id: "k1", text: `Otter notes. ${QUOTE} They also use tools.` },
          ],
          next_cursor: null,
          took_ms: 1,
        });
      if (route === "POST /api/assistant/messages/m1/feedback")
        return json(200, { message_id: "m1", rating: "up", comment: null });
      return json(404, { title: "Not found", status: 404, detail: route });
    });
  });

  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
    delete (Element.prototype as Partial<Element>).scrollIntoView;
    router.replace.mockReset();
    for (const key of Object.keys(bodies)) delete bodies[key];
  });

  it("streams an answer, opens a cited passage and records a thumbs up", async () => {
    const user = userEvent.setup();
    render(<AskScreen />);
    expect(await screen.findByText("Ask your documents")).toBeInTheDocument();

    await user.type(screen.getByLabelText("Ask a question"), "Do otters hold hands?{Enter}");
    const answer = await screen.findByTestId("answer");
    expect(answer).toHaveAttribute("data-state", "streaming");
    expect(screen.getByRole("button", { name: "Ask" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Stop" })).toBeInTheDocument();
    expect(bodies["POST /api/assistant/ask"]).toEqual([
      { question: "Do otters hold hands?", conversation_id: null, stream: true },
    ]);

    stream.send("token", { text: "Sea otters " });
    await waitFor(() => expect(answer).toHaveTextContent("Sea otters"));
    expect(answer).toHaveAttribute("data-state", "streaming");
    stream.send("token", { text: "hold hands while they sleep [1]." });
    stream.send("citations", { citations: [citation], dropped: 0 });
    stream.send("done", done());

    await waitFor(() => expect(answer).toHaveAttribute("data-state", "done"));
    expect(within(answer).getByTestId("answer-provider")).toHaveTextContent("local");
    expect(router.replace).toHaveBeenCalledWith("/ask/c1");
    expect(screen.getByRole("button", { name: "Ask" })).toBeEnabled();

    await user.click(within(answer).getByRole("button", { name: "Citation 1: Otter facts" }));
    const dialog = await screen.findByRole("dialog", { name: "Cited passage" });
    expect(dialog).toHaveTextContent("Otter facts");
    expect(dialog).toHaveTextContent("Page 2");
    await waitFor(() => expect(within(dialog).getByText(QUOTE).tagName).toBe("MARK"));
    expect(dialog).toHaveTextContent("They also use tools.");
    // The viewer's deep link: the citation's page and the quote's offsets as its span.
    expect(within(dialog).getByRole("link", { name: "Open the document" })).toHaveAttribute(
      "href",
      "/documents/d1?page=2&span=10-49",
    );
    expect(bodies["POST /api/search"]).toEqual([
      { query: QUOTE, mode: "fulltext", collection_ids: ["col1"], limit: 50 },
    ]);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(within(answer).getByRole("button", { name: /^Citation 1/ })).toHaveFocus();

    const up = within(answer).getByRole("button", { name: "Thumbs up" });
    expect(up).toHaveAttribute("aria-pressed", "false");
    await user.click(up);
    expect(up).toHaveAttribute("aria-pressed", "true");
    await waitFor(() =>
      expect(bodies["POST /api/assistant/messages/m1/feedback"]).toEqual([{ rating: "up" }]),
    );
  });

  it("asks a follow-up in the same conversation and flags unsupported sentences", async () => {
    const user = userEvent.setup();
    render(<AskScreen />);
    await user.type(await screen.findByLabelText("Ask a question"), "Otters?{Enter}");
    stream.send("done", done());
    await waitFor(() => expect(screen.getByTestId("answer")).toHaveAttribute("data-state", "done"));

    const second = controlledStream();
    askResponse = () => second.response;
    await user.type(screen.getByLabelText("Ask a question"), "Do they fly?{Enter}");
    second.send(
      "done",
      done({
        message_id: "m2",
        answer: "They hold hands [1]. They fly south in winter [1].",
        grounded: false,
        unsupported_sentences: ["They fly south in winter."],
      }),
    );
    const answers = await screen.findAllByTestId("answer");
    expect(answers).toHaveLength(2);
    await waitFor(() => expect(answers[1]).toHaveAttribute("data-state", "done"));
    expect(bodies["POST /api/assistant/ask"]?.[1]).toEqual({
      question: "Do they fly?",
      conversation_id: "c1",
      stream: true,
    });
    const flagged = within(answers[1]!).getAllByTestId("unsupported-sentence");
    expect(flagged[0]).toHaveTextContent("Unsupported claim: They fly south in winter");
    expect(within(answers[1]!).getByTestId("unsupported-note")).toHaveTextContent(
      "not supported by the passages cited",
    );
  });

  it("shows a quota refusal with its retry time, and stops an answer on request", async () => {
    const user = userEvent.setup();
    askResponse = () =>
      json(429, { title: "Too many requests", status: 429 }, { "retry-after": "30" });
    render(<AskScreen />);
    await user.type(await screen.findByLabelText("Ask a question"), "Otters?{Enter}");
    const answer = await screen.findByTestId("answer");
    await waitFor(() => expect(answer).toHaveAttribute("data-state", "error"));
    expect(within(answer).getByRole("alert")).toHaveTextContent("Try again in 30 s.");

    askResponse = () => stream.response;
    await user.type(screen.getByLabelText("Ask a question"), "Again?{Enter}");
    stream.send("token", { text: "Partial" });
    const second = (await screen.findAllByTestId("answer"))[1]!;
    await waitFor(() => expect(second).toHaveTextContent("Partial"));
    await user.click(screen.getByRole("button", { name: "Stop" }));
    await waitFor(() => expect(second).toHaveAttribute("data-state", "error"));
    expect(second).toHaveTextContent("Stopped. This answer was not saved.");
    expect(screen.queryByRole("button", { name: "Stop" })).toBeNull();
  });

  it("loads a conversation from the route, with its history and feedback", async () => {
    params.conversationId = "c9";
    const base = { created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-02T00:00:00Z" };
    const message = { created_at: base.created_at, citations: [], unsupported_sentences: [] };
    fetchMock.mockImplementation(async (input) => {
      const path = new URL((input as Request).url).pathname;
      if (path === "/api/assistant/conversations")
        return json(200, { items: [{ id: "c9", title: "Otter questions", ...base }] });
      return json(200, {
        id: "c9",
        title: "Otter questions",
        ...base,
        messages: [
          { ...message, id: "q", role: "user", content: "Otters?" },
          {
            ...message,
            id: "a",
            role: "assistant",
            content: "Otters hold hands [1].",
            citations: [citation],
            provider: "local",
            feedback: { rating: "down", comment: null },
          },
        ],
      });
    });
    try {
      render(<AskScreen />);
      const answer = await screen.findByTestId("answer");
      expect(answer).toHaveAttribute("data-state", "done");
      expect(within(answer).getByRole("button", { name: "Thumbs down" })).toHaveAttribute(
        "aria-pressed",
        "true",
      );
      const history = screen.getByRole("navigation", { name: "Conversation history" });
      expect(within(history).getByRole("link", { name: /Otter questions/ })).toHaveAttribute(
        "aria-current",
        "page",
      );
    } finally {
      delete params.conversationId;
    }
  });

  it("hides a stored answer that quoted documents the caller can no longer read", async () => {
    params.conversationId = "c8";
    const base = { created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-02T00:00:00Z" };
    const message = { created_at: base.created_at, unsupported_sentences: [] };
    fetchMock.mockImplementation(async (input) => {
      const path = new URL((input as Request).url).pathname;
      if (path === "/api/assistant/conversations")
        return json(200, { items: [{ id: "c8", title: "Prototype", ...base }] });
      return json(200, {
        id: "c8",
        title: "Prototype",
        ...base,
        messages: [
          { ...message, id: "q", role: "user", content: "Prototype?", citations: [] },
          {
            ...message,
            id: "a",
            role: "assistant",
            content: "",
            withheld: true,
            citations: [{ n: 1, available: false }],
            provider: "local",
          },
        ],
      });
    });
    try {
      render(<AskScreen />);
      const answer = await screen.findByTestId("answer");
      expect(within(answer).getByTestId("withheld-note")).toHaveTextContent(
        "This answer is hidden: it quoted a document you can no longer read.",
      );
      expect(within(answer).queryByRole("button", { name: /Citation/ })).toBeNull();
      expect(answer).toHaveTextContent("No sources cited");
    } finally {
      delete params.conversationId;
    }
  });

  it("suggests the sample workspace's questions once it is loaded; one click asks", async () => {
    const questions = ["How long are nightly database backups kept?", "Who approves expenses?"];
    const served = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation(async (input, init) => {
      const { pathname } = new URL((input as Request).url);
      if (pathname === "/samples/manifest.json")
        return json(200, {
          version: 1,
          collection: { name: "Tidepool handbook (sample)", description: "" },
          documents: [{ file: "welcome.md", title: "Welcome" }],
          questions: questions.map((question) => ({ question, answer_in: "welcome.md" })),
        });
      if (pathname === "/api/collections")
        return json(200, {
          items: [{ id: "col1", name: "Tidepool handbook (sample)", visibility: "org" }],
          next_cursor: null,
        });
      return served(input, init);
    });
    const user = userEvent.setup();
    render(<AskScreen />);

    expect(await screen.findByText("Suggested for Tidepool handbook (sample)")).toBeVisible();
    for (const question of questions)
      expect(screen.getByRole("button", { name: question })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /main points of my documents/ })).toBeNull();
    await user.click(screen.getByRole("button", { name: questions[0] }));
    await screen.findByTestId("answer");
    expect(bodies["POST /api/assistant/ask"]).toEqual([
      { question: questions[0], conversation_id: null, stream: true },
    ]);
  });

  it("suggests general questions where the sample workspace is not loaded", async () => {
    render(<AskScreen />);
    expect(await screen.findByText("Ask your documents")).toBeInTheDocument();
    await waitFor(() =>
      expect(
        fetchMock.mock.calls.map(([input]) => new URL((input as Request).url).pathname),
      ).toEqual(expect.arrayContaining(["/samples/manifest.json", "/api/collections"])),
    );
    expect(screen.getByText("Try")).toBeInTheDocument();
    expect(
      screen.getByRole("button", { name: "What are the main points of my documents?" }),
    ).toBeInTheDocument();
  });

  it("rejects a blank question without asking", async () => {
    const user = userEvent.setup();
    render(<AskScreen />);
    await user.type(await screen.findByLabelText("Ask a question"), "   {Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("Type a question.");
    expect(bodies["POST /api/assistant/ask"]).toBeUndefined();
  });
});
