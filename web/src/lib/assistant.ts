import type { components } from "@/lib/api/schema";

export type AnswerRead = components["schemas"]["AnswerRead"];
export type CitationRead = components["schemas"]["CitationRead"];
export type MessageRead = components["schemas"]["MessageRead"];
export type ConversationRead = components["schemas"]["ConversationRead"];
export type Rating = components["schemas"]["Rating"];

export type AnswerState = "streaming" | "done" | "error";

/** One question and its answer, as the Ask screen shows them. */
export interface Turn {
  key: string;
  question: string;
  state: AnswerState;
  text: string;
  messageId: string | null;
  citations: CitationRead[];
  provider: string | null;
  model: string | null;
  grounded: boolean | null;
  unsupported: string[];
  cached: boolean;
  rating: Rating | null;
  /** Why the answer failed or stopped, as a sentence. */
  error: string | null;
  /** A provider that failed mid-answer (its partial text was discarded). */
  restartedFrom: string | null;
  /** A stored answer hidden because it quotes documents the caller can no longer read. */
  withheld: boolean;
  /** How many of its citations point to such documents (only their numbers are left). */
  unavailableSources: number;
}

export function newTurn(key: string, question: string): Turn {
  return {
    key,
    question,
    state: "streaming",
    text: "",
    messageId: null,
    citations: [],
    provider: null,
    model: null,
    grounded: null,
    unsupported: [],
    cached: false,
    rating: null,
    error: null,
    restartedFrom: null,
    withheld: false,
    unavailableSources: 0,
  };
}

export function finishTurn(turn: Turn, answer: AnswerRead): Turn {
  return {
    ...turn,
    state: "done",
    text: answer.answer,
    messageId: answer.message_id,
    citations: answer.citations,
    provider: answer.provider,
    model: answer.model,
    grounded: answer.grounded,
    unsupported: answer.unsupported_sentences,
    cached: answer.cached,
    error: null,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

/**
 * Stored messages' citations: keep the ones shaped like CitationRead. A citation of a
 * document the caller can no longer read (`available: false`) has only its number.
 */
export function parseCitations(raw: unknown[]): CitationRead[] {
  return raw.filter(
    (item): item is CitationRead =>
      isRecord(item) &&
      item.available !== false &&
      typeof item.n === "number" &&
      typeof item.document_id === "string" &&
      typeof item.document_title === "string" &&
      typeof item.chunk_id === "string" &&
      typeof item.quote === "string",
  );
}

/** A stored conversation as turns: each user message with the assistant message after it. */
export function turnsFromMessages(messages: MessageRead[]): Turn[] {
  const turns: Turn[] = [];
  for (const message of messages) {
    if (message.role === "user") {
      turns.push({ ...newTurn(message.id, message.content), state: "error", error: "No answer." });
      continue;
    }
    const last = turns.at(-1);
    if (!last || last.messageId !== null) continue; // an answer without its question
    turns[turns.length - 1] = {
      ...last,
      state: "done",
      error: null,
      text: message.content,
      messageId: message.id,
      citations: parseCitations(message.citations),
      withheld: message.withheld,
      unavailableSources: message.citations.filter((c) => c.available === false).length,
      provider: message.provider ?? null,
      model: message.model ?? null,
      grounded: message.grounded ?? null,
      unsupported: message.unsupported_sentences,
      cached: message.cached,
      rating: message.feedback?.rating ?? null,
    };
  }
  return turns;
}

// The server's citation marks: "[1]", "[1, 2]", "[1; 3]" (sift.assistant.grounding).
const MARK = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;
const STRIPPED_MARK = /\s*\[\d+(?:\s*[,;]\s*\d+)*\]/g;

export type Segment =
  | { kind: "text"; text: string; unsupported: boolean }
  | { kind: "cite"; n: number; citation: CitationRead | null };

/** Where each unsupported claim (sent with its marks removed) lies in the answer. */
function unsupportedRanges(answer: string, claims: string[]): [number, number][] {
  const kept: number[] = []; // offsets in `answer` of the characters left once marks go
  let stripped = "";
  let cursor = 0;
  for (const match of answer.matchAll(STRIPPED_MARK)) {
    for (let i = cursor; i < match.index; i++) kept.push(i);
    stripped += answer.slice(cursor, match.index);
    cursor = match.index + match[0].length;
  }
  for (let i = cursor; i < answer.length; i++) kept.push(i);
  stripped += answer.slice(cursor);
  const ranges: [number, number][] = [];
  for (const claim of claims) {
    const at = claim ? stripped.indexOf(claim) : -1;
    if (at === -1) continue;
    ranges.push([kept[at]!, kept[at + claim.length - 1]! + 1]);
  }
  return ranges;
}

/**
 * The answer as text and citation markers; text inside an unsupported claim is flagged.
 * A marker whose citation is not known (yet) has `citation: null`.
 */
export function segmentAnswer(
  answer: string,
  citations: CitationRead[],
  unsupported: string[] = [],
): Segment[] {
  const byNumber = new Map(citations.map((citation) => [citation.n, citation]));
  const ranges = unsupportedRanges(answer, unsupported);
  const flagged = (at: number) => ranges.some(([start, end]) => at >= start && at < end);
  const segments: Segment[] = [];
  const pushText = (start: number, end: number) => {
    // Split where a flagged range starts or ends, so each piece is wholly in or out.
    const cuts = new Set([start, end]);
    for (const [rangeStart, rangeEnd] of ranges)
      for (const cut of [rangeStart, rangeEnd]) if (cut > start && cut < end) cuts.add(cut);
    const points = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i++) {
      const text = answer.slice(points[i], points[i + 1]);
      if (text) segments.push({ kind: "text", text, unsupported: flagged(points[i]!) });
    }
  };
  let cursor = 0;
  for (const match of answer.matchAll(MARK)) {
    pushText(cursor, match.index);
    for (const raw of match[1]!.split(/[,;]/)) {
      const n = Number(raw.trim());
      segments.push({ kind: "cite", n, citation: byNumber.get(n) ?? null });
    }
    cursor = match.index + match[0].length;
  }
  pushText(cursor, answer.length);
  return segments;
}

/** `quote`'s span in `text`, exactly or up to differences in whitespace. */
export function locateQuote(text: string, quote: string): [number, number] | null {
  const at = text.indexOf(quote);
  if (at !== -1) return [at, at + quote.length];
  const pieces = quote.split(/\s+/).filter(Boolean);
  if (pieces.length === 0) return null;
  const escaped = pieces.map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const match = new RegExp(escaped.join("\\s+")).exec(text);
  return match ? [match.index, match.index + match[0].length] : null;
}

/** A full-text query for a quote, without what the search service reads as syntax. */
export function passageQuery(quote: string): string {
  return quote
    .replace(/"/g, " ")
    .replace(/(^|\s)-+/g, "$1")
    .replace(/(^|\s)OR(?=\s|$)/g, "$1or")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 1000);
}

export function pageLabel(citation: Pick<CitationRead, "page" | "page_end">): string | null {
  if (citation.page == null) return null;
  return citation.page_end && citation.page_end !== citation.page
    ? `Pages ${citation.page}–${citation.page_end}`
    : `Page ${citation.page}`;
}
