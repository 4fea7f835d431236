"use client";

import { useRouter } from "next/navigation";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useLoadSamples } from "@/hooks/samples/mutations";
import { useSampleManifest } from "@/hooks/samples/queries";
import { errorText } from "@/lib/api/problem";
import { useToastStore } from "@/stores/toast";

/**
 * "Try with sample documents", on an empty workspace: loads the sample handbook through
 * the API with the user's session, shows the upload's progress, then opens the collection
 * (where the documents index live). Nothing shows when this deployment ships no samples.
 */
export function SampleLoader() {
  const router = useRouter();
  const { data: manifest } = useSampleManifest();
  const load = useLoadSamples();
  if (!manifest) return null;
  const { progress } = load;
  const percent = Math.round((progress?.fraction ?? 0) * 100);

  const start = async () => {
    const result = await load.mutateAsync(manifest).catch(() => null);
    if (!result) return; // the error is shown below
    const added = result.uploaded + result.skipped;
    const toasts = useToastStore.getState();
    if (result.failed.length === 0)
      toasts.push("success", `${added} sample documents added: indexing now.`);
    else
      toasts.push(
        "error",
        `${added} sample documents added; these could not be: ${result.failed
          .map((item) => `${item.file} (${item.error})`)
          .join("; ")}`,
      );
    router.push(`/collections/${result.collection.id}`);
  };

  return (
    <section
      aria-labelledby="samples-heading"
      className="mx-auto mt-6 max-w-md rounded-xl border border-slate-200 bg-white p-5 text-left shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <h3 id="samples-heading" className="font-medium text-slate-900 dark:text-slate-100">
        New to Sift?
      </h3>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Load the handbook of Tidepool, a fictional company: {manifest.documents.length} short
        documents (PDF, Word, web pages and Markdown) to search and ask questions about.
      </p>
      {load.isPending && progress ? (
        <div className="mt-4" aria-live="polite">
          <div
            role="progressbar"
            aria-label="Loading sample documents"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
          >
            <div
              className="h-full rounded-full bg-brand-500 transition-all"
              style={{ width: `${percent}%` }}
            />
          </div>
          <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
            {progress.done} of {progress.total} documents uploaded
          </p>
        </div>
      ) : (
        <Button className="mt-4" onClick={() => void start()}>
          Try with sample documents
        </Button>
      )}
      {load.error && (
        <div className="mt-3">
          <Alert>{errorText(load.error)}</Alert>
        </div>
      )}
    </section>
  );
}
