"use client";

import type { PDFDocumentProxy } from "pdfjs-dist";
import { useCallback, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Skeleton } from "@/components/ui/Skeleton";
import { useDocumentFile } from "@/hooks/documents/viewer";
import { errorText } from "@/lib/api/problem";
import { findAcrossPages, searchOrder, type ItemRange } from "@/lib/viewer";
import { PdfPage } from "./PdfPage";
import "./textLayer.css";
import { PageJump, PassageStatus, type Located } from "./ViewerToolbar";

type PdfJs = typeof import("./pdfjs");

interface Loaded {
  pdfjs: PdfJs;
  pdf: PDFDocumentProxy;
  ratio: number; // page 1's height over width: the placeholders' shape
}

/** pdf.js and the document, loaded from the file's bytes (a copy: pdf.js takes them over). */
function usePdf(bytes: ArrayBuffer | undefined) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!bytes) return;
    let pdf: PDFDocumentProxy | null = null;
    let cancelled = false;
    void (async () => {
      const pdfjs = await import("./pdfjs");
      // No eval (the CSP has no 'unsafe-eval'), no XFA or scripting: a page, drawn. Its
      // fonts, CMaps and decoders come from our origin (scripts/pdfjs-assets.mjs).
      const assets = `${window.location.origin}/pdfjs`;
      const task = pdfjs.getDocument({
        data: new Uint8Array(bytes.slice(0)),
        isEvalSupported: false,
        enableXfa: false,
        cMapUrl: `${assets}/cmaps/`,
        standardFontDataUrl: `${assets}/standard_fonts/`,
        iccUrl: `${assets}/iccs/`,
        wasmUrl: `${assets}/wasm/`,
      });
      pdf = await task.promise;
      const first = (await pdf.getPage(1)).getViewport({ scale: 1 });
      if (!cancelled) setLoaded({ pdfjs, pdf, ratio: first.height / first.width });
    })().catch((error: unknown) => {
      console.warn("PDF failed to load", error);
      if (!cancelled) setFailed(true);
    });
    return () => {
      cancelled = true;
      void pdf?.destroy();
    };
  }, [bytes]);
  return { loaded, failed };
}

/** Where the passage is: its pages' text pieces are searched from the hinted page on. */
function useLocated(loaded: Loaded | null, passage: string | null, hint: number | null) {
  const [located, setLocated] = useState<Located>(passage ? "searching" : null);
  useEffect(() => {
    if (!loaded || !passage) {
      setLocated(passage ? "searching" : null);
      return;
    }
    const { pdf } = loaded;
    let cancelled = false;
    const texts = new Map<number, Promise<string[]>>();
    const itemsOf = (number: number) => {
      if (!texts.has(number))
        texts.set(
          number,
          pdf
            .getPage(number)
            .then((page) => page.getTextContent())
            .then((content) => content.items.flatMap((item) => ("str" in item ? [item.str] : []))),
        );
      return texts.get(number)!;
    };
    void (async () => {
      for (const number of searchOrder(hint ?? 1, pdf.numPages)) {
        const pages = [{ page: number, items: await itemsOf(number) }];
        if (number < pdf.numPages)
          pages.push({ page: number + 1, items: await itemsOf(number + 1) });
        const found = findAcrossPages(pages, passage);
        if (cancelled) return;
        if (!found) continue;
        // A passage over a page break is shown at the linked page when it reaches onto it.
        const page = hint !== null && found.has(hint) ? hint : Math.min(...found.keys());
        return setLocated({ page, ranges: found });
      }
      setLocated("missing");
    })().catch(() => !cancelled && setLocated("missing"));
    return () => {
      cancelled = true;
    };
  }, [loaded, passage, hint]);
  return located;
}

function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const node = ref.current;
    if (!node) return;
    const measure = () => setWidth(Math.min(node.clientWidth, 900));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

const scrollToPage = (container: HTMLElement | null, page: number) =>
  container
    ?.querySelector<HTMLElement>(`[data-page="${page}"]`)
    ?.scrollIntoView({ block: "start" });

/** A PDF, page by page, opened at the passage (or the page) the link points to. */
export default function PdfViewer({
  documentId,
  versionId,
  passage,
  page,
}: {
  documentId: string;
  versionId: string;
  passage: string | null;
  page: number | null;
}) {
  const file = useDocumentFile(documentId, versionId);
  const { loaded, failed } = usePdf(file.data);
  const located = useLocated(loaded, passage, page);
  const { ref, width } = useWidth();
  const mark = useRef<HTMLElement | null>(null);
  const opened = useRef(false);

  // Opened at the link's page at once, at the passage once it is found and marked.
  useEffect(() => {
    if (!loaded || width <= 0 || opened.current) return;
    const target = typeof located === "object" && located ? located.page : page;
    if (located === "searching") return;
    opened.current = true;
    if (target && target > 1) scrollToPage(ref.current, target);
  }, [loaded, width, located, page, ref]);

  // Called by the page the passage is shown at, once its text layer is marked.
  const onMarked = useCallback((element: HTMLElement) => {
    const first = mark.current === null;
    mark.current = element;
    // Chromium's scrollIntoView returns a promise; nothing to wait for here.
    if (first) element.scrollIntoView({ block: "center" });
  }, []);

  const showPassage = () => {
    mark.current?.scrollIntoView({ block: "center" });
    if (typeof located === "object" && located && !mark.current)
      scrollToPage(ref.current, located.page);
  };

  const error = errorText(file.error) ?? (failed ? "This PDF could not be displayed." : null);
  if (error) return <Alert>{error} You can still download the file.</Alert>;
  const ranges = typeof located === "object" && located ? located.ranges : null;
  const shownAt = typeof located === "object" && located ? located.page : null;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <PassageStatus located={located} onShow={showPassage} />
        {loaded && (
          <PageJump
            pageCount={loaded.pdf.numPages}
            onJump={(number) => scrollToPage(ref.current, number)}
          />
        )}
      </div>
      <div ref={ref} className="space-y-4" data-testid="pdf-viewer">
        {!loaded ? (
          <div aria-busy="true" aria-label="Loading the PDF">
            <Skeleton className="mx-auto h-[70vh] w-full max-w-3xl" />
          </div>
        ) : (
          Array.from({ length: loaded.pdf.numPages }, (_, index) => index + 1).map((number) => (
            <PdfPage
              key={number}
              pdfjs={loaded.pdfjs}
              pdf={loaded.pdf}
              number={number}
              width={width}
              ratio={loaded.ratio}
              highlight={ranges?.get(number) ?? NO_RANGES}
              onMarked={number === shownAt ? onMarked : undefined}
            />
          ))
        )}
      </div>
    </div>
  );
}

const NO_RANGES: ItemRange[] | null = null;
