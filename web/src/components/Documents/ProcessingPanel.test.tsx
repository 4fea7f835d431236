import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { documentKeys, type DocumentRead } from "@/hooks/documents/keys";
import { useAuthStore } from "@/stores/auth";
import { renderWithQuery as render, testQueryClient } from "@/test/query";
import { ProcessingPanel } from "./ProcessingPanel";
import { formatDuration, redactionSummary, stepDuration } from "./steps";

const failed = {
  id: "d1",
  title: "Scan",
  status: "failed",
  error: { code: "no_text", message: "no text layer" },
  page_count: 3,
  chunk_count: null,
  language: null,
  steps: [
    {
      name: "extract",
      started_at: "2026-01-01T00:00:00.000Z",
      finished_at: "2026-01-01T00:00:01.500Z",
    },
  ],
} as unknown as DocumentRead;

describe("ProcessingPanel", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("explains the failure, shows step timings and retries into the cache", async () => {
    useAuthStore.setState({ accessToken: "t", status: "authenticated" });
    const fetchMock = vi.fn<typeof fetch>().mockResolvedValue(
      new Response(JSON.stringify({ ...failed, status: "processing", error: null }), {
        status: 202,
        headers: { "content-type": "application/json" },
      }),
    );
    vi.stubGlobal("fetch", fetchMock);
    const client = testQueryClient();
    client.setQueryData(documentKeys.detail("d1"), failed);
    client.setQueryData(documentKeys.list("c1", {}), [failed]);
    render(<ProcessingPanel document={failed} canEdit />, client);

    expect(screen.getByTestId("failure-message")).toHaveTextContent("No text was found");
    expect(screen.getByTestId("processing-step")).toHaveTextContent("Extract text");
    expect(screen.getByTestId("processing-step")).toHaveTextContent("1.5 s");

    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    // The document's page and its collection's list both show it being processed again.
    await waitFor(() =>
      expect(client.getQueryData<DocumentRead>(documentKeys.detail("d1"))?.status).toBe(
        "processing",
      ),
    );
    expect(client.getQueryData<DocumentRead[]>(documentKeys.list("c1", {}))?.[0]?.status).toBe(
      "processing",
    );
    const request = fetchMock.mock.calls[0]?.[0] as Request;
    expect(request.method).toBe("POST");
    expect(new URL(request.url).pathname).toBe("/api/documents/d1/reindex");
  });

  it("shows what a step noted, such as replaced control characters", () => {
    const indexed = {
      ...failed,
      status: "indexed",
      error: null,
      steps: [
        { name: "extract", duration_ms: 3, note: "Replaced 1 stray control character." },
        { name: "embed", duration_ms: 40, note: null },
      ],
    } as unknown as DocumentRead;
    render(<ProcessingPanel document={indexed} canEdit={false} />);
    const [extract, embed] = screen.getAllByTestId("processing-step");
    expect(extract).toHaveTextContent("Extract textReplaced 1 stray control character.");
    expect(embed).toHaveTextContent("Embed passages");
    expect(screen.getAllByTestId("processing-step-note")).toHaveLength(1);
  });

  it("says what PII redaction replaced, and nothing when the collection does not redact", () => {
    const redacted = {
      ...failed,
      status: "indexed",
      error: null,
      redactions: { email: 2, iban: 1 },
    } as DocumentRead;
    render(<ProcessingPanel document={redacted} canEdit={false} />);
    expect(screen.getByTestId("redactions")).toHaveTextContent(
      "Personal data replaced in the search index: 2 e-mail addresses, 1 IBAN",
    );
    expect(redactionSummary({})).toBe("nothing found");
    expect(redactionSummary(null)).toBeNull();
  });

  it("offers no retry to a viewer", () => {
    render(<ProcessingPanel document={failed} canEdit={false} />);
    expect(screen.queryByRole("button", { name: "Retry" })).toBeNull();
  });
});

describe("step durations", () => {
  it("prefers the measured duration and formats it for people", () => {
    expect(stepDuration({ name: "embed", duration_ms: 42 })).toBe(42);
    expect(formatDuration(42)).toBe("42 ms");
    expect(formatDuration(83_000)).toBe("1 min 23 s");
    expect(formatDuration(null)).toBe("—");
  });
});
