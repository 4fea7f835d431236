import { readFile } from "node:fs/promises";
import path from "node:path";
import { MANIFEST_FILE, SAMPLE_TYPES, sampleManifestSchema } from "@/lib/samples";

// Read from the repository's samples/ at request time (`next start` runs in web/): one
// copy of the files in git, and an edit shows without a rebuild.
const SAMPLES = path.resolve(process.cwd(), "..", "samples");

export const dynamic = "force-dynamic";

function notFound(): Response {
  return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain" } });
}

/** The sample manifest, or one file it lists; nothing else in samples/ is served. */
export async function GET(_: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  let manifestText: string;
  try {
    manifestText = await readFile(path.join(SAMPLES, MANIFEST_FILE), "utf-8");
  } catch {
    return notFound(); // a deployment without the samples
  }
  const headers: Record<string, string> = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
  };
  if (file === MANIFEST_FILE)
    return new Response(manifestText, {
      headers: { ...headers, "Content-Type": SAMPLE_TYPES.json! },
    });
  const manifest = sampleManifestSchema.parse(JSON.parse(manifestText));
  // Only names the manifest lists (and its schema limits to [a-z0-9.-]): no path tricks.
  if (!manifest.documents.some((document) => document.file === file)) return notFound();
  const body = await readFile(path.join(SAMPLES, "documents", file));
  const extension = file.slice(file.lastIndexOf(".") + 1);
  return new Response(new Uint8Array(body), {
    headers: {
      ...headers,
      "Content-Type": SAMPLE_TYPES[extension] ?? "application/octet-stream",
      // Fetched by the loader, never shown as a page of this origin.
      "Content-Disposition": `attachment; filename="${file}"`,
    },
  });
}
