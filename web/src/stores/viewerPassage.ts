import { create } from "zustand";

/**
 * The passage a search result or citation was showing when it was followed, handed to the
 * document viewer opened at that link (`href`), and only there: the same document opened
 * another way marks nothing. The viewer prefers the text of the link's span (from the
 * pages endpoint); this covers links without a span and documents whose pages cannot be
 * read. In memory only: a reloaded link has its span.
 */
export interface PassageHandOver {
  href: string;
  text: string;
}

interface ViewerPassageState {
  passage: PassageHandOver | null;
  handOver: (passage: PassageHandOver) => void;
}

export const useViewerPassage = create<ViewerPassageState>()((set) => ({
  passage: null,
  handOver: (passage) => set({ passage }),
}));
