"use client";

import { useEffect, useState } from "react";
import { api, unwrap } from "@/lib/api/client";
import { passageQuery, type CitationRead } from "@/lib/assistant";

export type PassageState =
  { status: "loading" } | { status: "found"; text: string } | { status: "missing" };

// Chunks do not change once indexed (a new version has new chunk IDs): fetch each once.
const found = new Map<string, string>();

/**
 * The text of a cited chunk. The gateway exposes no chunk endpoint, so it is found the
 * way a reader would: a full-text search for the quote in the cited collection, keeping
 * the hit with the citation's chunk ID. `missing` when it cannot be found (the quote
 * alone is then shown).
 */
export function useAskPassage(citation: CitationRead | null): PassageState {
  const chunkId = citation?.chunk_id ?? null;
  const [state, setState] = useState<PassageState>({ status: "loading" });

  useEffect(() => {
    if (citation === null || chunkId === null) return;
    const known = found.get(chunkId);
    if (known !== undefined) {
      setState({ status: "found", text: known });
      return;
    }
    let live = true;
    setState({ status: "loading" });
    unwrap(
      api.POST("/api/search", {
        body: {
          query: passageQuery(citation.quote) || citation.document_title,
          mode: "fulltext",
          collection_ids: citation.collection_id ? [citation.collection_id] : null,
          limit: 50,
        },
      }),
    )
      .then((page) => {
        const hit = page.items.find((item) => item.chunk_id === chunkId);
        if (hit) found.set(chunkId, hit.text);
        if (live) setState(hit ? { status: "found", text: hit.text } : { status: "missing" });
      })
      .catch(() => live && setState({ status: "missing" }));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a chunk's citation is one thing
  }, [chunkId]);

  return state;
}
