// pdf.js, imported only by the viewer (`import("./pdfjs")`), so no other page loads it.
// Its worker is bundled and served from our own origin (the CSP allows `worker-src 'self'`).
import { GlobalWorkerOptions } from "pdfjs-dist";

if (!GlobalWorkerOptions.workerPort) {
  GlobalWorkerOptions.workerPort = new Worker(
    new URL("pdfjs-dist/build/pdf.worker.min.mjs", import.meta.url),
    { type: "module" },
  );
}

export { getDocument, TextLayer } from "pdfjs-dist";
