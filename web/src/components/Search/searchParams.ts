import type { components } from "@/lib/api/schema";

export type SearchRequest = components["schemas"]["SearchRequest"];
export type SearchHit = components["schemas"]["SearchHit"];
export type Mode = components["schemas"]["Mode"];
export type SavedSearchFilters = components["schemas"]["SavedSearchFilters"];

export const MODES: { value: Mode; label: string; hint: string }[] = [
  { value: "hybrid", label: "Hybrid", hint: "Words and meaning" },
  { value: "fulltext", label: "Full text", hint: "Exact words" },
  { value: "semantic", label: "Semantic", hint: "Meaning" },
];

export const TYPES: { value: string; label: string }[] = [
  { value: "application/pdf", label: "PDF" },
  {
    value: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    label: "Word",
  },
  { value: "text/markdown", label: "Markdown" },
  { value: "text/plain", label: "Text" },
  { value: "text/html", label: "HTML" },
];

/** What the search page keeps in its URL, so a search can be shared, reloaded, gone back to. */
export interface SearchState {
  q: string;
  mode: Mode;
  collection: string;
  tag: string;
  type: string;
  after: string; // YYYY-MM-DD
  before: string;
}

const isMode = (value: string | null): value is Mode =>
  value === "hybrid" || value === "fulltext" || value === "semantic";

export function readSearchState(params: URLSearchParams): SearchState {
  const mode = params.get("mode");
  return {
    q: params.get("q") ?? "",
    mode: isMode(mode) ? mode : "hybrid",
    collection: params.get("collection") ?? "",
    tag: params.get("tag") ?? "",
    type: params.get("type") ?? "",
    after: params.get("after") ?? "",
    before: params.get("before") ?? "",
  };
}

export function writeSearchState(state: SearchState): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    if (value && !(key === "mode" && value === "hybrid")) params.set(key, value);
  }
  return params.toString();
}

/** The filters of POST /api/search (and of a saved search) for a page state. */
export function searchFilters(state: SearchState): SavedSearchFilters {
  return {
    mode: state.mode,
    collection_ids: state.collection ? [state.collection] : null,
    tags: state.tag.trim() ? [state.tag.trim()] : null,
    mime_types: state.type ? [state.type] : null,
    created_after: state.after ? `${state.after}T00:00:00Z` : null,
    created_before: state.before ? `${state.before}T23:59:59Z` : null,
  };
}

export function searchBody(state: SearchState, cursor: string | null, limit = 20): SearchRequest {
  return { query: state.q.trim(), ...searchFilters(state), limit, cursor };
}
