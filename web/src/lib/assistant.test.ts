import { describe, expect, it } from "vitest";
import {
  locateQuote,
  pageLabel,
  parseCitations,
  passageQuery,
  segmentAnswer,
  turnsFromMessages,
  type CitationRead,
  type MessageRead,
} from "./assistant";

const citation = (n: number): CitationRead => ({
  n,
  document_id: `d${n}`,
  document_title: `Doc ${n}`,
  chunk_id: `c${n}`,
  start_char: 0,
  end_char: 5,
  quote: "quote",
  available: true,
});

describe("segmentAnswer", () => {
  it("splits citation marks (also grouped ones) from the text", () => {
    const segments = segmentAnswer("Otters hold hands [1, 2]. They sleep [3].", [
      citation(1),
      citation(2),
    ]);
    expect(segments).toEqual([
      { kind: "text", text: "Otters hold hands ", unsupported: false },
      { kind: "cite", n: 1, citation: citation(1) },
      { kind: "cite", n: 2, citation: citation(2) },
      { kind: "text", text: ". They sleep ", unsupported: false },
      { kind: "cite", n: 3, citation: null },
      { kind: "text", text: ".", unsupported: false },
    ]);
  });

  it("flags an unsupported claim, which the server sends with its marks removed", () => {
    const answer = "Otters hold hands [1]. Otters fly south in winter [2].";
    const segments = segmentAnswer(
      answer,
      [citation(1), citation(2)],
      ["Otters fly south in winter."],
    );
    const flagged = segments.filter((s) => s.kind === "text" && s.unsupported);
    expect(flagged.map((s) => s.kind === "text" && s.text)).toEqual([
      "Otters fly south in winter ",
      ".",
    ]);
    // The mark inside the claim stays a marker; the supported sentence is not flagged.
    expect(segments[0]).toEqual({ kind: "text", text: "Otters hold hands ", unsupported: false });
    expect(segments.some((s) => s.kind === "cite" && s.n === 2)).toBe(true);
  });

  it("ignores a claim it cannot find", () => {
    const segments = segmentAnswer("Plain answer.", [], ["Something else."]);
    expect(segments).toEqual([{ kind: "text", text: "Plain answer.", unsupported: false }]);
  });
});

describe("locateQuote", () => {
  it("finds the quote exactly or across different whitespace", () => {
    expect(locateQuote("one two three", "two")).toEqual([4, 7]);
    expect(locateQuote("one two\n  three (x)", "two three (x)")).toEqual([4, 19]);
    expect(locateQuote("one", "four")).toBeNull();
  });
});

describe("passageQuery", () => {
  it("removes what web-search syntax would read as operators", () => {
    expect(passageQuery('He said "stop" -now OR later, covid-19')).toBe(
      "He said stop now or later, covid-19",
    );
    expect(passageQuery("x".repeat(2000))).toHaveLength(1000);
  });
});

describe("pageLabel", () => {
  it("names one page or a range", () => {
    expect(pageLabel({ page: 3, page_end: 3 })).toBe("Page 3");
    expect(pageLabel({ page: 3, page_end: 5 })).toBe("Pages 3–5");
    expect(pageLabel({ page: null })).toBeNull();
  });
});

describe("turnsFromMessages", () => {
  const message = (patch: Partial<MessageRead>): MessageRead => ({
    id: "m",
    role: "user",
    content: "",
    created_at: "2026-01-01T00:00:00Z",
    withheld: false,
    citations: [],
    unsupported_sentences: [],
    cached: false,
    ...patch,
  });

  it("pairs questions with answers and keeps well-formed citations and feedback", () => {
    const turns = turnsFromMessages([
      message({ id: "q1", content: "Why?" }),
      message({
        id: "a1",
        role: "assistant",
        content: "Because [1].",
        // Stored data is checked, not trusted: a malformed citation is dropped.
        citations: [{ ...citation(1) }, { n: "bad" } as unknown as CitationRead],
        provider: "local",
        model: "extractive-mmr-v1",
        grounded: true,
        feedback: { rating: "up", comment: null },
      }),
      message({ id: "q2", content: "And then?" }),
    ]);
    expect(turns).toHaveLength(2);
    expect(turns[0]).toMatchObject({
      question: "Why?",
      state: "done",
      text: "Because [1].",
      messageId: "a1",
      provider: "local",
      rating: "up",
    });
    expect(turns[0]!.citations).toEqual([citation(1)]);
    expect(turns[1]).toMatchObject({ question: "And then?", state: "error", messageId: null });
  });

  it("drops citations that are not shaped like one", () => {
    expect(parseCitations([null, 3, { n: 1 }, citation(2)])).toEqual([citation(2)]);
  });

  it("keeps a withheld answer hidden and counts its unavailable sources", () => {
    const [turn] = turnsFromMessages([
      message({ id: "q1", content: "Secret?" }),
      message({
        id: "a1",
        role: "assistant",
        withheld: true,
        citations: [citation(1), { n: 2, available: false }, { n: 3, available: false }],
      }),
    ]);
    expect(turn).toMatchObject({ state: "done", text: "", withheld: true, unavailableSources: 2 });
    expect(turn!.citations).toEqual([citation(1)]);
  });
});
