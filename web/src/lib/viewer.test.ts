import { describe, expect, it } from "vitest";
import {
  documentHref,
  findAcrossPages,
  findPassage,
  passageFromSnippet,
  readViewerTarget,
  searchOrder,
  spanOf,
  spanOnPage,
  spanText,
} from "./viewer";

describe("viewer links", () => {
  it("reads page and span, ignoring malformed values", () => {
    expect(readViewerTarget(new URLSearchParams("page=2&span=10-25"))).toEqual({
      page: 2,
      span: { start: 10, end: 25 },
    });
    for (const query of ["page=0&span=9-3", "page=x&span=3", "page=-1&span=5-5", "page=1.5"])
      expect(readViewerTarget(new URLSearchParams(query))).toEqual({ page: null, span: null });
  });

  it("writes the same link back", () => {
    const href = documentHref("d1", { page: 2, span: { start: 10, end: 25 } });
    expect(href).toBe("/documents/d1?page=2&span=10-25");
    const params = new URL(href, "https://sift.test").searchParams;
    expect(readViewerTarget(params)).toEqual({ page: 2, span: { start: 10, end: 25 } });
    expect(documentHref("d1")).toBe("/documents/d1");
    expect(documentHref("d1", { page: null, span: null })).toBe("/documents/d1");
  });

  it("takes a span only when it is one", () => {
    expect(spanOf({ span: { start: 3, end: 9 } })).toEqual({ start: 3, end: 9 });
    expect(spanOf({ span: null })).toBeNull();
    expect(spanOf({ span: { start: 9, end: 9 } })).toBeNull();
    expect(spanOf({})).toBeNull();
  });
});

describe("passages", () => {
  it("takes the snippet's sentence with the most marks, as plain text", () => {
    const snippet =
      "a <mark>cobalt</mark> start … rises.\nKeeper's Records\nThe <mark>cobalt</mark> <mark>ledger</mark> &amp; &lt;tide&gt;. She kept the <mark>ledger</mark> … end";
    expect(passageFromSnippet(snippet)).toBe("The cobalt ledger & <tide>.");
    expect(passageFromSnippet("plain words of a semantic hit. And more …")).toBe(
      "plain words of a semantic hit.",
    );
    expect(passageFromSnippet("")).toBe("");
  });

  it("reads a span's text from the pages holding it, across a page break", () => {
    const pages = [
      { page: 1, start: 0, end: 10, text: "first page" },
      { page: 2, start: 12, end: 23, text: "second page" },
    ];
    expect(spanText(pages, { start: 6, end: 10 })).toBe("page");
    expect(spanText(pages, { start: 6, end: 18 })).toBe("page second");
    expect(spanText(pages, { start: 20, end: 30 })).toBeNull(); // beyond the pages read
    expect(spanOnPage(pages[1]!, { start: 6, end: 18 })).toEqual([0, 6]);
    expect(spanOnPage(pages[0]!, { start: 12, end: 18 })).toBeNull();
    expect(spanOnPage(pages[0]!, null)).toBeNull();
  });

  it("finds a passage in text pieces laid out differently (lines, ligatures, case)", () => {
    const items = ["The harbour ", "ﬁnal cobalt", "", "lighthouse led-", "ger is here"];
    expect(findPassage(items, "final Cobalt lighthouse")).toEqual([
      { item: 1, start: 0, end: 11 },
      { item: 3, start: 0, end: 10 },
    ]);
    expect(findPassage(items, "nowhere to be seen")).toBeNull();
    expect(findPassage(items, "   ")).toBeNull();
  });

  it("splits a passage that runs onto the next page between the two", () => {
    const found = findAcrossPages(
      [
        { page: 4, items: ["end of four: cobalt"] },
        { page: 5, items: ["lighthouse starts five"] },
      ],
      "cobalt lighthouse",
    );
    expect(found && Object.fromEntries(found)).toEqual({
      4: [{ item: 0, start: 13, end: 19 }],
      5: [{ item: 0, start: 0, end: 10 }],
    });
    const notNext = findAcrossPages(
      [
        { page: 4, items: ["cobalt"] },
        { page: 6, items: ["lighthouse"] },
      ],
      "cobalt lighthouse",
    );
    expect(notNext).toBeNull();
  });

  it("looks at the hinted page first, then after it, then before it", () => {
    expect(searchOrder(3, 5)).toEqual([3, 4, 5, 2, 1]);
    expect(searchOrder(9, 2)).toEqual([2, 1]);
    expect(searchOrder(1, 100, 3)).toEqual([1, 2, 3]);
  });
});
