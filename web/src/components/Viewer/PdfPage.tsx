"use client";

import type { PDFDocumentProxy, RenderTask, TextLayer as TextLayerType } from "pdfjs-dist";
import { useEffect, useRef, useState } from "react";
import type { ItemRange } from "@/lib/viewer";

type PdfJs = typeof import("./pdfjs");

/** Wraps the highlighted characters of the text layer's pieces in <mark> elements. */
function markRanges(divs: HTMLElement[], ranges: ItemRange[]): HTMLElement | null {
  let first: HTMLElement | null = null;
  for (const { item, start, end } of ranges) {
    const div = divs[item];
    const text = div?.textContent;
    if (!div || !text) continue;
    const mark = document.createElement("mark");
    mark.textContent = text.slice(start, end);
    div.replaceChildren(text.slice(0, start), mark, text.slice(end));
    first ??= mark;
  }
  return first;
}

/**
 * One PDF page: a placeholder of the page's size until it comes near the screen, then the
 * canvas and the text layer (selectable, read by screen readers, where the passage is
 * marked). Far from the screen again, the canvas is dropped: a long document keeps only
 * the pages around the reader in memory.
 */
export function PdfPage({
  pdfjs,
  pdf,
  number,
  width,
  ratio,
  highlight,
  onMarked,
}: {
  pdfjs: PdfJs;
  pdf: PDFDocumentProxy;
  number: number;
  width: number;
  /** Height over width: page 1's until this page is measured. */
  ratio: number;
  highlight: ItemRange[] | null;
  onMarked?: (mark: HTMLElement) => void;
}) {
  const box = useRef<HTMLElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const textLayer = useRef<HTMLDivElement>(null);
  const [near, setNear] = useState(false);
  const [ownRatio, setOwnRatio] = useState<number | null>(null);
  const [rendered, setRendered] = useState(false);

  useEffect(() => {
    const node = box.current;
    if (!node || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => setNear(entries.some((entry) => entry.isIntersecting)),
      { rootMargin: "1200px 0px" },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (!near || width <= 0) return;
    let cancelled = false;
    let task: RenderTask | null = null;
    let layer: TextLayerType | null = null;
    void (async () => {
      const page = await pdf.getPage(number);
      const natural = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: width / natural.width });
      if (cancelled || !canvas.current || !textLayer.current) return;
      setOwnRatio(natural.height / natural.width);
      const scale = window.devicePixelRatio || 1;
      canvas.current.width = Math.floor(viewport.width * scale);
      canvas.current.height = Math.floor(viewport.height * scale);
      task = page.render({
        canvas: canvas.current,
        viewport,
        transform: scale === 1 ? undefined : [scale, 0, 0, scale, 0, 0],
      });
      const content = await page.getTextContent();
      if (cancelled) return;
      textLayer.current.replaceChildren();
      // pdf.js sizes and places the layer's text with this variable.
      textLayer.current.style.setProperty("--total-scale-factor", String(viewport.scale));
      layer = new pdfjs.TextLayer({
        textContentSource: content,
        container: textLayer.current,
        viewport,
      });
      await layer.render();
      if (cancelled) return;
      const mark = highlight ? markRanges(layer.textDivs, highlight) : null;
      await task.promise;
      if (cancelled) return;
      setRendered(true);
      if (mark) onMarked?.(mark);
    })().catch((error: unknown) => {
      // A render cancelled by scrolling away or resizing is not a failure.
      if (!cancelled) console.warn("PDF page failed to render", number, error);
    });
    return () => {
      cancelled = true;
      task?.cancel();
      layer?.cancel();
      setRendered(false);
    };
  }, [near, width, pdf, pdfjs, number, highlight, onMarked]);

  const height = Math.round(width * (ownRatio ?? ratio));
  return (
    <section
      ref={box}
      aria-label={`Page ${number}`}
      data-testid="pdf-page"
      data-page={number}
      data-rendered={rendered}
      className="relative mx-auto scroll-mt-20 overflow-hidden bg-white shadow-sm ring-1 ring-slate-200 dark:ring-slate-700"
      style={{ width, height }}
    >
      {near && (
        <>
          <canvas ref={canvas} aria-hidden className="absolute inset-0 h-full w-full" />
          <div ref={textLayer} className="textLayer" />
        </>
      )}
    </section>
  );
}
