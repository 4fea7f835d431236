import { fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { useViewerPassage } from "@/stores/viewerPassage";
import type { SearchHit } from "./searchParams";
import { SearchResults } from "./SearchResults";

const hit = {
  document_id: "d1",
  document_title: "Lighthouse ledger",
  chunk_id: "k1",
  page: 2,
  page_end: 2,
  snippet: "rises. The <mark>cobalt</mark> <mark>ledger</mark> records. She kept it",
  text: "…",
} as SearchHit;

describe("SearchResults", () => {
  afterEach(() => useViewerPassage.setState({ passage: null }));

  it("links a hit to the viewer at its page and span, handing over its sentence", () => {
    const withSpan = { ...hit, span: { start: 40, end: 71 } } as SearchHit;
    render(<SearchResults items={[withSpan]} hasMore={false} loading={false} onMore={() => {}} />);
    const link = screen.getByRole("link", { name: "Lighthouse ledger" });
    expect(link).toHaveAttribute("href", "/documents/d1?page=2&span=40-71");
    // Only the hand-over is under test: the navigation itself is the browser's.
    link.addEventListener("click", (event) => event.preventDefault());
    fireEvent.click(link);
    expect(useViewerPassage.getState().passage).toEqual({
      href: "/documents/d1?page=2&span=40-71",
      text: "The cobalt ledger records.",
    });
  });

  it("links to the page alone when the hit has no span", () => {
    render(<SearchResults items={[hit]} hasMore={false} loading={false} onMore={() => {}} />);
    expect(screen.getByRole("link", { name: "Lighthouse ledger" })).toHaveAttribute(
      "href",
      "/documents/d1?page=2",
    );
  });
});
