/**
 * The document viewer's pure parts: its deep links (`/documents/{id}?page=N&span=s-e`), the
 * passage a link points to, and finding that passage in text laid out differently from
 * the extracted text (a PDF's text layer splits it into positioned pieces).
 */

/** Character offsets in a document's extracted text (end exclusive). */
export interface Span {
  start: number;
  end: number;
}

/** A page of extracted text, with its offsets in the document's text. */
export interface TextPage {
  page: number;
  start: number;
  end: number;
  text: string;
}

export interface ViewerTarget {
  page: number | null;
  span: Span | null;
}

const positive = (value: string | null): number | null => {
  if (value === null || !/^\d+$/.test(value)) return null;
  const number = Number(value);
  return number >= 1 && Number.isSafeInteger(number) ? number : null;
};

/** `page` and `span` of a viewer URL; malformed values are ignored, not errors. */
export function readViewerTarget(params: URLSearchParams): ViewerTarget {
  const match = /^(\d+)-(\d+)$/.exec(params.get("span") ?? "");
  const span = match ? { start: Number(match[1]), end: Number(match[2]) } : null;
  return {
    page: positive(params.get("page")),
    span: span && span.end > span.start && Number.isSafeInteger(span.end) ? span : null,
  };
}

/** The viewer's link to a place in a document (the page and, when known, the span). */
export function documentHref(
  documentId: string,
  { page, span }: { page?: number | null; span?: Span | null } = {},
): string {
  const params = new URLSearchParams();
  if (page != null) params.set("page", String(page));
  if (span) params.set("span", `${span.start}-${span.end}`);
  const query = params.toString();
  return `/documents/${documentId}${query ? `?${query}` : ""}`;
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#x27;": "'",
  "&#39;": "'",
};

const marks = (html: string) => html.split("<mark>").length - 1;
const mostMarked = (pieces: string[]) =>
  pieces.reduce((top, piece) => (marks(piece) > marks(top) ? piece : top), pieces[0] ?? "");

/**
 * The plain text of a search snippet's best sentence: the one with the most marked terms
 * in the fragment with the most (fragments are joined by " … "; a semantic-only hit has
 * no marks and keeps its first sentence). A sentence, not the fragment: a fragment can run
 * over a page break, the sentence that matched is what the reader wants to see.
 */
export function passageFromSnippet(snippet: string): string {
  const fragment = mostMarked(snippet.split(" … "));
  const sentence = mostMarked(fragment.split(/(?<=[.!?])\s+|\n+/).filter((piece) => piece.trim()));
  return sentence
    .replace(/<\/?mark>/g, "")
    .replace(/&(amp|lt|gt|quot|#x27|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\s*…$/, "")
    .trim();
}

/** The text of a span from the pages that hold it, or null when they do not cover it. */
export function spanText(pages: TextPage[], span: Span): string | null {
  const sorted = [...pages].sort((a, b) => a.start - b.start);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last || first.start > span.start || last.end < span.end) return null;
  // Offsets between pages (their separators) belong to no page: the parts are joined.
  const parts = sorted.flatMap((page) => {
    const range = spanOnPage(page, span);
    return range ? [page.text.slice(...range)] : [];
  });
  return parts.length > 0 ? parts.join(" ") : null;
}

/** The part of a text page a span covers, in the page's own offsets; null outside it. */
export function spanOnPage(page: TextPage, span: Span | null): [number, number] | null {
  if (!span) return null;
  const start = Math.max(page.start, span.start);
  const end = Math.min(page.end, span.end);
  return end > start ? [start - page.start, end - page.start] : null;
}

/** A highlighted piece of one text item (a PDF text-layer span): item index, char range. */
export interface ItemRange {
  item: number;
  start: number;
  end: number;
}

interface Folded {
  text: string;
  // For each character of `text`: the item and the offset in it that it came from.
  items: number[];
  offsets: number[];
}

/**
 * Text for matching: compatibility-normalized (ligatures), lower-case, without whitespace
 * or soft hyphens, since extractors and PDF text layers break lines and words differently.
 */
function fold(strings: string[]): Folded {
  const folded: Folded = { text: "", items: [], offsets: [] };
  strings.forEach((string, item) => {
    for (let offset = 0; offset < string.length; offset++) {
      const char = string[offset]!;
      if (/\s|\u00ad/.test(char)) continue;
      for (const piece of char.normalize("NFKC").toLowerCase()) {
        if (/\s/.test(piece)) continue;
        folded.text += piece;
        folded.items.push(item);
        folded.offsets.push(offset);
      }
    }
  });
  return folded;
}

/** Where a passage occurs in a sequence of text pieces, as ranges of those pieces. */
export function findPassage(strings: string[], passage: string): ItemRange[] | null {
  const needle = fold([passage]).text;
  if (!needle) return null;
  const haystack = fold(strings);
  const at = haystack.text.indexOf(needle);
  if (at === -1) return null;
  const ranges: ItemRange[] = [];
  for (let index = at; index < at + needle.length; index++) {
    const item = haystack.items[index]!;
    const offset = haystack.offsets[index]!;
    const last = ranges.at(-1);
    if (last && last.item === item) last.end = offset + 1;
    else ranges.push({ item, start: offset, end: offset + 1 });
  }
  return ranges;
}

/**
 * A passage found across consecutive pages' text items: each page's ranges. The passage may
 * start on one page and end on the next, so each page is searched together with the next.
 */
export function findAcrossPages(
  pages: { page: number; items: string[] }[],
  passage: string,
): Map<number, ItemRange[]> | null {
  for (let index = 0; index < pages.length; index++) {
    const here = pages[index]!;
    const next = pages[index + 1];
    const joined =
      next && next.page === here.page + 1 ? [...here.items, ...next.items] : here.items;
    const ranges = findPassage(joined, passage);
    if (!ranges) continue;
    const found = new Map<number, ItemRange[]>();
    for (const range of ranges) {
      const onNext = range.item >= here.items.length;
      const page = onNext ? next!.page : here.page;
      const item = onNext ? range.item - here.items.length : range.item;
      found.set(page, [...(found.get(page) ?? []), { ...range, item }]);
    }
    return found;
  }
  return null;
}

/** Pages to look at for a passage: the hinted one first, then after it, then before it. */
export function searchOrder(hint: number, pageCount: number, limit = 50): number[] {
  const start = Math.min(Math.max(1, hint), pageCount);
  const order: number[] = [];
  for (let page = start; page <= pageCount && order.length < limit; page++) order.push(page);
  for (let page = start - 1; page >= 1 && order.length < limit; page--) order.push(page);
  return order;
}

const isSpan = (value: unknown): value is Span =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Span).start === "number" &&
  typeof (value as Span).end === "number" &&
  (value as Span).end > (value as Span).start;

/**
 * The `span` of a search hit or a citation, when the server sent a usable one (hits and
 * citations stored before spans existed have none; an empty span marks nothing).
 */
export function spanOf(item: object): Span | null {
  const span = (item as { span?: unknown }).span;
  return isSpan(span) ? span : null;
}
