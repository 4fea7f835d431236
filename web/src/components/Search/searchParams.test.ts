import { describe, expect, it } from "vitest";
import { readSearchState, searchBody, writeSearchState } from "./searchParams";

describe("search state", () => {
  it("round-trips through the URL, leaving defaults out", () => {
    const state = readSearchState(new URLSearchParams("q=engine&mode=semantic&tag=notes"));
    expect(state).toMatchObject({ q: "engine", mode: "semantic", tag: "notes", collection: "" });
    expect(writeSearchState(state)).toBe("q=engine&mode=semantic&tag=notes");
    expect(writeSearchState({ ...state, mode: "hybrid" })).toBe("q=engine&tag=notes");
  });

  it("ignores an unknown mode", () => {
    expect(readSearchState(new URLSearchParams("q=x&mode=magic")).mode).toBe("hybrid");
  });

  it("builds the API.md request body", () => {
    const state = readSearchState(
      new URLSearchParams("q= engine &collection=c1&type=application/pdf&after=2026-01-01"),
    );
    expect(searchBody(state, "next")).toEqual({
      query: "engine",
      mode: "hybrid",
      collection_ids: ["c1"],
      tags: null,
      mime_types: ["application/pdf"],
      created_after: "2026-01-01T00:00:00Z",
      created_before: null,
      limit: 20,
      cursor: "next",
    });
  });
});
