import { describe, expect, it } from "vitest";
import { toApiError } from "@/lib/api/problem";
import {
  GoldenSetError,
  parseBeir,
  parseGoldenSet,
  placeEvaluationErrors,
  readGoldenSetFiles,
} from "./goldenSet";

const A = "6f1c1f0e-3b9a-4c47-9d0e-4c3f5b1a2a01";
const B = "6f1c1f0e-3b9a-4c47-9d0e-4c3f5b1a2a02";

const file = (name: string, text: string) => ({ name, text: async () => text });

describe("parseGoldenSet", () => {
  it("reads the API's body, keeping its name and only the cases' two fields", () => {
    const set = parseGoldenSet(
      JSON.stringify({
        name: "Harbor set",
        cases: [{ query: "q1", relevant_document_ids: [A], note: "dropped" }],
      }),
    );
    expect(set).toEqual({
      name: "Harbor set",
      cases: [{ query: "q1", relevant_document_ids: [A] }],
    });
  });

  it("reads a list of cases and graded judgments", () => {
    const set = parseGoldenSet(
      JSON.stringify([{ query: "q1", relevant_document_ids: { [A]: 2, [B]: 0 } }]),
    );
    expect(set.cases[0]?.relevant_document_ids).toEqual({ [A]: 2, [B]: 0 });
  });

  it("reads JSON Lines, skipping blank lines", () => {
    const text = `{"query": "q1", "relevant_document_ids": ["${A}"]}\n\n{"query": "q2", "relevant_document_ids": ["${B}"]}\n`;
    expect(parseGoldenSet(text).cases.map((c) => c.query)).toEqual(["q1", "q2"]);
  });

  it("says which line is broken or which case lacks a field", () => {
    expect(() => parseGoldenSet(`{"query": "q1", "relevant_document_ids": []}\n{oops`)).toThrow(
      "Line 2 is not valid JSON.",
    );
    expect(() => parseGoldenSet(`[{"query": "q1"}]`)).toThrow(
      'Case 1 needs "query" and "relevant_document_ids".',
    );
    expect(() => parseGoldenSet("   ")).toThrow(GoldenSetError);
  });
});

describe("parseBeir", () => {
  it("joins queries and qrels into graded cases, header line allowed", () => {
    const queries = `{"_id": "1", "text": "When was it built?"}\n{"_id": "2", "text": "Unjudged"}`;
    const qrels = `query-id\tcorpus-id\tscore\n1\t${A}\t1\n1\t${B}\t0\n`;
    expect(parseBeir(queries, qrels).cases).toEqual([
      { query: "When was it built?", relevant_document_ids: { [A]: 1, [B]: 0 } },
    ]);
  });

  it("rejects a qrel of an unknown query and a malformed line", () => {
    const queries = `{"_id": "1", "text": "q"}`;
    expect(() => parseBeir(queries, `7\t${A}\t1`)).toThrow('no query has the ID "7"');
    expect(() => parseBeir(queries, `1\t${A}`)).toThrow("Qrels, line 1");
  });
});

describe("readGoldenSetFiles", () => {
  it("takes one JSON file, or a BEIR pair in any order", async () => {
    const json = file("set.json", JSON.stringify([{ query: "q", relevant_document_ids: [A] }]));
    expect((await readGoldenSetFiles([json])).cases).toHaveLength(1);
    const pair = [file("test.tsv", `1\t${A}\t1`), file("queries.jsonl", `{"_id":"1","text":"q"}`)];
    expect((await readGoldenSetFiles(pair)).cases).toEqual([
      { query: "q", relevant_document_ids: { [A]: 1 } },
    ]);
    await expect(readGoldenSetFiles([json, json])).rejects.toThrow(GoldenSetError);
  });
});

describe("placeEvaluationErrors", () => {
  it("puts a case's validation error next to the golden set, numbered from 1", () => {
    const error = toApiError(422, {
      title: "Validation failed",
      errors: [
        {
          loc: ["body", "cases", 2, "relevant_document_ids", "0"],
          msg: "Input should be a valid UUID",
        },
        { loc: ["body", "name"], msg: "String should have at most 200 characters" },
      ],
    });
    expect(placeEvaluationErrors(error)).toEqual({
      fields: {
        goldenSet: "Case 3, relevant_document_ids.0: Input should be a valid UUID.",
        name: "String should have at most 200 characters.",
      },
      form: null,
    });
  });

  it("shows a collection the caller cannot read by its field, and other problems for the form", () => {
    const unknown = toApiError(404, {
      title: "Unknown collections",
      detail: "No such collection.",
      errors: [{ loc: ["body", "collection_ids"], msg: "No such collection" }],
    });
    expect(placeEvaluationErrors(unknown).fields.collection).toBe("No such collection.");
    const limited = toApiError(429, { title: "Too many requests", detail: "Wait an hour." });
    expect(placeEvaluationErrors(limited)).toEqual({ fields: {}, form: "Wait an hour." });
  });
});
