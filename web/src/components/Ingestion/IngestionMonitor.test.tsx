import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { useToastStore } from "@/stores/toast";
import { IngestionMonitor } from "./IngestionMonitor";
import { renderWithQuery as render } from "@/test/query";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
const overview = (counts: Record<string, number>, reasons: { code: string; count: number }[]) => ({
  collection_id: null,
  queue_depth: 3,
  counts: { uploaded: 0, processing: 0, indexed: 0, failed: 0, ...counts },
  total: Object.values(counts).reduce((a, b) => a + b, 0),
  done: (counts.indexed ?? 0) + (counts.failed ?? 0),
  failure_reasons: reasons,
});
const failedDocument = {
  id: "d1",
  collection_id: "c1",
  collection_name: "Harbor plans",
  title: "locked.pdf",
  status: "failed",
  error: { code: "encrypted_pdf", message: "The PDF is password-protected." },
  sha256: "0".repeat(64),
  size: 10,
  mime_type: "application/pdf",
  filename: "locked.pdf",
  version: 1,
  version_id: "v1",
  tags: [],
  steps: [],
  created_by: "u1",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  status_changed_at: "2026-01-01T00:00:00Z",
};

describe("IngestionMonitor", () => {
  const fetchMock = vi.fn<typeof fetch>();
  let retried = false;
  beforeEach(() => {
    retried = false;
    vi.stubGlobal("fetch", fetchMock);
    useAuthStore.setState({ accessToken: "t", status: "authenticated" });
    fetchMock.mockImplementation(async (input) => {
      const request = input as Request;
      const url = new URL(request.url);
      if (request.method === "POST" && url.pathname === "/api/documents/d1/reindex") {
        retried = true;
        return json(202, { ...failedDocument, status: "uploaded", error: null });
      }
      if (url.pathname === "/api/documents/ingestion") {
        return json(
          200,
          retried
            ? overview({ uploaded: 1 }, [])
            : overview({ failed: 1 }, [{ code: "encrypted_pdf", count: 1 }]),
        );
      }
      if (url.pathname === "/api/documents/ingestion/documents") {
        const failed = url.searchParams.get("status") === "failed" && !retried;
        return json(200, { items: failed ? [failedDocument] : [], next_cursor: null });
      }
      if (url.pathname === "/api/collections") return json(200, { items: [], next_cursor: null });
      return json(404, {});
    });
  });
  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
    useToastStore.setState({ toasts: [] });
  });

  it("shows the numbers and a failure with its reason; Retry queues it again", async () => {
    render(<IngestionMonitor />);
    const stats = await screen.findByTestId("ingestion-stats");
    await waitFor(() =>
      expect(within(stats).getByText("Queue").nextSibling).toHaveTextContent("3"),
    );
    expect(screen.getByRole("list", { name: "Failures by reason" })).toHaveTextContent(
      "Password-protected PDF: 1",
    );
    const row = await screen.findByTestId("failed-document");
    expect(row).toHaveTextContent("The PDF is password-protected.");
    expect(row).toHaveTextContent("Harbor plans");

    await userEvent.click(within(row).getByRole("button", { name: "Retry locked.pdf" }));
    await waitFor(() => expect(screen.queryByTestId("failed-document")).toBeNull());
    expect(screen.getByText(/Nothing failed/)).toBeInTheDocument();
    expect(useToastStore.getState().toasts.map((toast) => toast.message)).toContain(
      "locked.pdf is queued again.",
    );
  });
});
