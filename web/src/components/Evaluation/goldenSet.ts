import type { components } from "@/lib/api/schema";
import { ApiError, messageOf } from "@/lib/api/problem";

export type EvaluationCase = components["schemas"]["EvaluationCase"];
export type EvaluationCreate = components["schemas"]["EvaluationCreate"];

/** A golden set the API takes: its cases, and the run's name when the file named one. */
export interface GoldenSet {
  cases: EvaluationCase[];
  name?: string | null;
}

/** A golden set that cannot be read; the message says where. */
export class GoldenSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoldenSetError";
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** One case as written: only the API's two fields travel (the server checks their values). */
function toCase(value: unknown, where: string): EvaluationCase {
  if (!isRecord(value) || !("query" in value) || !("relevant_document_ids" in value)) {
    throw new GoldenSetError(`${where} needs "query" and "relevant_document_ids".`);
  }
  return {
    query: value.query as string,
    relevant_document_ids: value.relevant_document_ids as EvaluationCase["relevant_document_ids"],
  };
}

function fromJson(value: unknown): GoldenSet {
  if (Array.isArray(value)) return { cases: value.map((item, i) => toCase(item, `Case ${i + 1}`)) };
  if (isRecord(value) && Array.isArray(value.cases)) {
    const name = typeof value.name === "string" ? value.name : undefined;
    return { name, cases: value.cases.map((item, i) => toCase(item, `Case ${i + 1}`)) };
  }
  if (isRecord(value)) return { cases: [toCase(value, "The case")] };
  throw new GoldenSetError('Expected a list of cases or an object with "cases".');
}

/**
 * Read a golden set written as JSON (the API's body, or a list of cases) or as JSON Lines
 * (one case per line): `{"query": "...", "relevant_document_ids": [ids] or {id: grade}}`.
 */
export function parseGoldenSet(text: string): GoldenSet {
  const trimmed = text.trim();
  if (!trimmed) throw new GoldenSetError("Paste or upload a golden set first.");
  try {
    return fromJson(JSON.parse(trimmed));
  } catch (error) {
    if (error instanceof GoldenSetError) throw error;
  }
  const lines = trimmed.split(/\r?\n/);
  const cases = lines.flatMap((line, index) => {
    if (!line.trim()) return [];
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new GoldenSetError(`Line ${index + 1} is not valid JSON.`);
    }
    return [toCase(value, `Line ${index + 1}`)];
  });
  return { cases };
}

/**
 * A BEIR-style golden set: `queries.jsonl` (`{"_id", "text"}` per line) and a qrels file
 * (`query-id <tab> corpus-id <tab> score`, a header line allowed). Corpus IDs must be Sift
 * document IDs; a score of 0 marks a document judged not relevant.
 */
export function parseBeir(queriesText: string, qrelsText: string): GoldenSet {
  const queries = new Map<string, string>();
  queriesText.split(/\r?\n/).forEach((line, index) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new GoldenSetError(`Queries, line ${index + 1} is not valid JSON.`);
    }
    if (!isRecord(value) || value._id === undefined || typeof value.text !== "string") {
      throw new GoldenSetError(`Queries, line ${index + 1} needs "_id" and "text".`);
    }
    queries.set(String(value._id), value.text);
  });
  const judgments = new Map<string, Record<string, number>>();
  qrelsText.split(/\r?\n/).forEach((line, index) => {
    const fields = line.trim().split(/\t|\s+/);
    if (fields.length === 1 && !fields[0]) return;
    if (index === 0 && fields[0] === "query-id") return; // BEIR's header
    const [queryId, documentId, score] = fields;
    const grade = Number(score);
    if (fields.length !== 3 || !queryId || !documentId || !Number.isInteger(grade)) {
      throw new GoldenSetError(`Qrels, line ${index + 1}: expected query-id, corpus-id, score.`);
    }
    if (!queries.has(queryId)) {
      throw new GoldenSetError(`Qrels, line ${index + 1}: no query has the ID "${queryId}".`);
    }
    judgments.set(queryId, { ...judgments.get(queryId), [documentId]: grade });
  });
  if (judgments.size === 0) throw new GoldenSetError("The qrels file has no judgments.");
  return {
    cases: [...judgments].map(([queryId, relevant]) => ({
      query: queries.get(queryId)!,
      relevant_document_ids: relevant,
    })),
  };
}

const isQrels = (file: { name: string }) => /\.(tsv|txt|qrels)$/i.test(file.name);

/** Files picked by the user: one JSON/JSONL file, or a BEIR pair (queries + qrels). */
export async function readGoldenSetFiles(
  files: readonly { name: string; text: () => Promise<string> }[],
): Promise<GoldenSet> {
  const qrels = files.filter(isQrels);
  const others = files.filter((file) => !isQrels(file));
  if (qrels.length === 1 && others.length === 1) {
    return parseBeir(await others[0]!.text(), await qrels[0]!.text());
  }
  if (qrels.length === 0 && others.length === 1) return parseGoldenSet(await others[0]!.text());
  throw new GoldenSetError(
    "Choose one JSON or JSONL file, or a BEIR pair: queries.jsonl and a qrels .tsv file.",
  );
}

/** The golden set as the form's text: the API's cases, pretty-printed. */
export const goldenSetText = (set: GoldenSet) => JSON.stringify(set.cases, null, 2);

export type EvaluationField = "name" | "collection" | "goldenSet";

/**
 * A failed run as the form shows it: the server's field errors next to their fields
 * (a case's as "Case 3, relevant_document_ids: ..."), anything else for the whole form.
 */
export function placeEvaluationErrors(error: unknown): {
  fields: Partial<Record<EvaluationField, string>>;
  form: string | null;
} {
  if (!(error instanceof ApiError) || error.fieldErrors.length === 0) {
    return { fields: {}, form: messageOf(error) };
  }
  const fields: Partial<Record<EvaluationField, string>> = {};
  const add = (field: EvaluationField, message: string) => {
    fields[field] = fields[field] ? `${fields[field]} ${message}` : message;
  };
  let unplaced: string | null = null;
  for (const { field, message } of error.fieldErrors) {
    const [head, index, ...rest] = field.split(".");
    const sentence = message.endsWith(".") ? message : `${message}.`;
    if (head === "name") add("name", sentence);
    else if (head === "collection_ids") add("collection", sentence);
    else if (head === "cases" && index !== undefined && /^\d+$/.test(index)) {
      const what = rest.length ? `, ${rest.join(".")}` : "";
      add("goldenSet", `Case ${Number(index) + 1}${what}: ${sentence}`);
    } else if (head === "cases") add("goldenSet", sentence);
    else unplaced ??= sentence;
  }
  return { fields, form: unplaced };
}
