"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { collectionKeys, type Collection } from "@/hooks/collections/keys";
import { documentKeys } from "@/hooks/documents/keys";
import { api, unwrap } from "@/lib/api/client";
import { ApiError, messageOf } from "@/lib/api/problem";
import { uploadDocument } from "@/lib/api/upload";
import type { SampleDocument, SampleManifest } from "@/lib/samples";
import { fetchSample } from "./queries";

// Three at a time, like a user's own drop of many files: quick, and kind to a small server.
const PARALLEL_UPLOADS = 3;

export interface SampleProgress {
  total: number;
  /** Files finished (uploaded, or already in the collection). */
  done: number;
  /** 0 to 1 over every file's bytes, for the progress bar. */
  fraction: number;
  failed: { file: string; error: string }[];
}

export interface SampleResult {
  collection: Collection;
  uploaded: number;
  skipped: number;
  failed: SampleProgress["failed"];
}

/** The sample collection: the one of that name when a first try created it, else a new one. */
async function sampleCollection(manifest: SampleManifest): Promise<Collection> {
  const page = await unwrap(api.GET("/api/collections", { params: { query: { limit: 100 } } }));
  const found = page.items.find((item) => item.name === manifest.collection.name);
  if (found) return found;
  return unwrap(
    api.POST("/api/collections", {
      body: {
        name: manifest.collection.name,
        description: manifest.collection.description,
        visibility: "org",
        redact_pii: false,
        keep_original_files: true,
      },
    }),
  );
}

/**
 * Load the sample workspace through the API, as the user: create its collection, then
 * fetch each file from the web app and upload it with the normal upload (so it is indexed,
 * announced and permissioned like the user's own). A file already there is skipped.
 */
export function useLoadSamples() {
  const client = useQueryClient();
  const [progress, setProgress] = useState<SampleProgress | null>(null);
  const mutation = useMutation({
    mutationFn: async (manifest: SampleManifest): Promise<SampleResult> => {
      const total = manifest.documents.length;
      const fractions = new Array<number>(total).fill(0);
      const failed: SampleProgress["failed"] = [];
      let done = 0;
      let skipped = 0;
      const report = () =>
        setProgress({
          total,
          done,
          fraction: fractions.reduce((sum, value) => sum + value, 0) / total,
          failed: [...failed],
        });
      report();
      // The list learns of the collection once the load settles: the empty workspace,
      // which shows this progress, stays on screen until then.
      const collection = await sampleCollection(manifest);

      const send = async (document: SampleDocument, index: number) => {
        try {
          const response = await fetchSample(document.file);
          const type = response.headers.get("Content-Type") ?? "";
          const file = new File([await response.arrayBuffer()], document.file, { type });
          await uploadDocument(
            { collection_id: collection.id, file, title: document.title, tags: document.tags },
            {
              onProgress: (fraction) => {
                fractions[index] = fraction;
                report();
              },
            },
          );
        } catch (error) {
          // 409: the same bytes are in the collection already (an earlier, interrupted load).
          if (error instanceof ApiError && error.status === 409) skipped += 1;
          else failed.push({ file: document.file, error: messageOf(error) });
        }
        fractions[index] = 1;
        done += 1;
        report();
      };
      let next = 0;
      const worker = async () => {
        while (next < total) {
          const index = next++;
          await send(manifest.documents[index]!, index);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, total) }, worker));
      return { collection, uploaded: total - skipped - failed.length, skipped, failed };
    },
    onSettled: (result) => {
      void client.invalidateQueries({ queryKey: collectionKeys.list() });
      if (result)
        void client.invalidateQueries({ queryKey: documentKeys.collection(result.collection.id) });
    },
  });
  return { ...mutation, progress };
}
