"use client";

import { useQuery } from "@tanstack/react-query";
import { useCollections } from "@/hooks/collections/queries";
import { ApiError } from "@/lib/api/problem";
import { MANIFEST_FILE, sampleManifestSchema, sampleUrl, type SampleManifest } from "@/lib/samples";
import { sampleKeys } from "./keys";

/** A file the web app serves from the repository's samples/ (not the API: no token). */
export async function fetchSample(file: string, signal?: AbortSignal): Promise<Response> {
  const response = await fetch(new Request(new URL(sampleUrl(file), window.location.origin)), {
    signal,
  });
  if (!response.ok)
    throw new ApiError(response.status, "Sample not found", `The sample file ${file} is missing.`);
  return response;
}

/** The sample manifest; an error when this deployment ships no samples. */
export function useSampleManifest() {
  return useQuery({
    queryKey: sampleKeys.manifest(),
    queryFn: async ({ signal }): Promise<SampleManifest> =>
      sampleManifestSchema.parse(await (await fetchSample(MANIFEST_FILE, signal)).json()),
    staleTime: Infinity, // changes only with a new release
    retry: false,
  });
}

export interface SampleQuestions {
  collection: string;
  questions: string[];
}

/**
 * The sample workspace's suggested questions once its collection is in the organization
 * (its documents hold the answers); otherwise `null`, and the screen offers general ones.
 */
export function useSampleQuestions(): SampleQuestions | null {
  const manifest = useSampleManifest().data;
  const collections = useCollections().data;
  if (!manifest || !collections || manifest.questions.length === 0) return null;
  const name = manifest.collection.name;
  return collections.some((collection) => collection.name === name)
    ? { collection: name, questions: manifest.questions.map((item) => item.question) }
    : null;
}
