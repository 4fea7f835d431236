// Copies the files pdf.js fetches while it draws a PDF (CMaps for CJK text, the standard
// fonts a PDF may use without embedding them, ICC profiles and its WebAssembly decoders)
// from node_modules to public/pdfjs/, so they are served from our own origin, never a CDN.
// Run before every build and dev server (package.json's prebuild and predev).
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const source = path.join(web, "node_modules", "pdfjs-dist");
const target = path.join(web, "public", "pdfjs");

rmSync(target, { recursive: true, force: true });
for (const folder of ["cmaps", "standard_fonts", "iccs", "wasm"])
  cpSync(path.join(source, folder), path.join(target, folder), { recursive: true });
