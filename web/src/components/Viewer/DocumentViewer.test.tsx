import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DocumentRead } from "@/hooks/documents/keys";
import { useAuthStore } from "@/stores/auth";
import { useViewerPassage } from "@/stores/viewerPassage";
import { renderWithQuery as render } from "@/test/query";
import { DocumentViewer } from "./DocumentViewer";

let search = "";
vi.mock("next/navigation", () => ({
  useSearchParams: () => new URLSearchParams(search),
}));

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

// Three pages of extracted text; offsets as the pages endpoint gives them ("\n\n" between).
const TEXTS = [
  "Ferry Log. The ferry leaves at dawn.",
  "Saffron lanterns guide the midnight ferry across Lake Verrow.",
  "The ferry carries forty passengers and one patient tortoise.",
];
const PAGES = TEXTS.map((text, index) => {
  const start = TEXTS.slice(0, index).reduce((sum, earlier) => sum + earlier.length + 2, 0);
  return { page: index + 1, start, end: start + text.length, text };
});

const docx = {
  id: "d1",
  mime_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  version_id: "v1",
  status: "indexed",
} as DocumentRead;

const fetchMock = vi.fn<typeof fetch>();
const requested = () =>
  fetchMock.mock.calls.map(([input]) => {
    const url = new URL((input as Request).url);
    return `${url.pathname}?${url.searchParams}`;
  });

describe("DocumentViewer (extracted text)", () => {
  beforeEach(() => {
    useViewerPassage.setState({ passage: null });
    vi.stubGlobal("fetch", fetchMock);
    Element.prototype.scrollIntoView = vi.fn(() => Promise.resolve()) as never;
    useAuthStore.setState({ accessToken: "t", status: "authenticated", user: null });
    fetchMock.mockImplementation(async (input) => {
      const url = new URL((input as Request).url);
      if (url.pathname !== "/api/search/documents/d1/pages")
        return json(404, { title: "Not Found", status: 404, detail: url.pathname });
      const from = Number(url.searchParams.get("from"));
      const limit = Number(url.searchParams.get("limit"));
      return json(200, {
        document_id: "d1",
        page_count: PAGES.length,
        items: PAGES.filter((page) => page.page >= from && page.page < from + limit),
      });
    });
  });

  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
    delete (Element.prototype as Partial<Element>).scrollIntoView;
    search = "";
  });

  it("opens at the linked page with the span marked and scrolled to", async () => {
    const span = { start: PAGES[1]!.start, end: PAGES[1]!.start + 16 };
    search = `page=2&span=${span.start}-${span.end}`;
    render(<DocumentViewer document={docx} />);

    const mark = await screen.findByText("Saffron lanterns");
    expect(mark.tagName).toBe("MARK");
    expect(mark.scrollIntoView).toHaveBeenCalledWith({ block: "center" });
    expect(screen.getByRole("heading", { name: "Document", level: 2 })).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Page 2" })).toContainElement(mark);
    expect(screen.queryByRole("region", { name: "Page 1" })).not.toBeInTheDocument();

    // Earlier pages on demand; nothing else is marked.
    await userEvent.setup().click(screen.getByRole("button", { name: "Show earlier pages" }));
    const first = await screen.findByRole("region", { name: "Page 1" });
    expect(within(first).queryByText(/./, { selector: "mark" })).toBeNull();
    expect(requested()).toContain("/api/search/documents/d1/pages?from=1&limit=1");
  });

  it("finds a span without a page by reading from the first page", async () => {
    const start = PAGES[2]!.start + 4;
    search = `span=${start}-${start + 5}`;
    render(<DocumentViewer document={docx} />);
    expect(await screen.findByText("ferry", { selector: "mark" })).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Page 3" })).toContainElement(
      screen.getByText("ferry", { selector: "mark" }),
    );
  });

  it("marks the handed-over passage when the link has no span", async () => {
    useViewerPassage.setState({
      passage: { href: "/documents/d1", text: "one  patient\ntortoise" },
    });
    render(<DocumentViewer document={docx} />);
    const mark = await screen.findByText("one patient tortoise", { selector: "mark" });
    expect(screen.getByRole("region", { name: "Page 3" })).toContainElement(mark);
    await waitFor(() =>
      expect(screen.queryByRole("button", { name: "Show more pages" })).toBeNull(),
    );
  });

  it("ignores a passage handed over to another link of the document", async () => {
    useViewerPassage.setState({ passage: { href: "/documents/d1?page=3", text: "tortoise" } });
    render(<DocumentViewer document={docx} />);
    expect(await screen.findByRole("region", { name: "Page 3" })).toHaveTextContent("tortoise");
    expect(screen.queryByText(/./, { selector: "mark" })).toBeNull();
  });

  it("says so when the text cannot be read", async () => {
    const other = { ...docx, id: "gone" };
    render(<DocumentViewer document={other} />);
    expect(
      await screen.findByText(/The text of this document cannot be shown yet/),
    ).toBeInTheDocument();
  });

  it("shows a PDF whose original was not kept as its redacted text pages", async () => {
    const pdf = { ...docx, mime_type: "application/pdf", original_kept: false };
    render(<DocumentViewer document={pdf} />);
    expect(await screen.findByRole("region", { name: "Page 1" })).toHaveTextContent(
      "The ferry leaves at dawn.",
    );
    expect(screen.getByText(/keeps only the redacted text/)).toBeVisible();
    expect(screen.queryByLabelText("Loading the PDF viewer")).toBeNull();
    expect(requested()[0]).toMatch(/^\/api\/search\/documents\/d1\/pages\?/);
  });

  it("waits for indexing before showing text", () => {
    render(<DocumentViewer document={{ ...docx, status: "processing" }} />);
    expect(screen.getByText("The text appears here once the document is indexed.")).toBeVisible();
  });
});
