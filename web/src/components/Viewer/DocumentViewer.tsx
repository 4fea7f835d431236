"use client";

import dynamic from "next/dynamic";
import { useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { Skeleton } from "@/components/ui/Skeleton";
import type { DocumentRead } from "@/hooks/documents/keys";
import { useSpanText } from "@/hooks/documents/viewer";
import { documentHref, readViewerTarget } from "@/lib/viewer";
import { useViewerPassage } from "@/stores/viewerPassage";
import { TextViewer } from "./TextViewer";

// pdf.js is large: only a PDF's viewer loads it, in a chunk of its own.
const PdfViewer = dynamic(() => import("./PdfViewer"), {
  ssr: false,
  loading: () => (
    <div aria-busy="true" aria-label="Loading the PDF viewer">
      <Skeleton className="mx-auto h-[70vh] w-full max-w-3xl" />
    </div>
  ),
});

// A PDF whose file its collection did not keep is shown as its (redacted) text pages.
const isPdf = (document: DocumentRead) =>
  document.mime_type === "application/pdf" && document.original_kept !== false;

/**
 * The document itself, opened where the link points (`?page=N&span=start-end`): a PDF as
 * its pages, anything else (or a document whose original file was not kept) as its
 * extracted text; the passage is marked.
 */
export function DocumentViewer({ document }: { document: DocumentRead }) {
  const params = useSearchParams();
  const target = useMemo(() => readViewerTarget(new URLSearchParams(params)), [params]);
  const href = documentHref(document.id, target);
  const handedOver = useViewerPassage((state) =>
    state.passage?.href === href ? state.passage.text : null,
  );
  const spanText = useSpanText(document.id, target.page, target.span);
  // The span's own text when the pages endpoint has it; until it answers, nothing is marked.
  const settled = !target.span || !spanText.isLoading;
  const passage = settled ? (spanText.data?.text ?? handedOver) : null;
  // The link's page is where the match is (a span may start on the page before).
  const page = target.page ?? spanText.data?.page ?? null;

  return (
    <section aria-labelledby="document-viewer-heading" className="space-y-3">
      <h2 id="document-viewer-heading" className="text-lg font-semibold">
        Document
      </h2>
      {document.original_kept === false && (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          This collection keeps only the redacted text: the original file was deleted once the
          document was indexed.
        </p>
      )}
      {isPdf(document) ? (
        <PdfViewer
          documentId={document.id}
          versionId={document.version_id}
          passage={passage}
          page={page}
        />
      ) : document.status !== "indexed" ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {document.status === "failed"
            ? "This document's text could not be extracted. You can still download the file."
            : "The text appears here once the document is indexed."}
        </p>
      ) : !settled ? (
        <div aria-busy="true" aria-label="Loading the text">
          <Skeleton className="h-40 w-full" />
        </div>
      ) : (
        <TextViewer
          key={`${page ?? 1}`}
          documentId={document.id}
          versionId={document.version_id}
          page={page ?? 1}
          span={spanText.data ? target.span : null}
          passage={passage}
        />
      )}
    </section>
  );
}
