"use client";

import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";

type SavedSearchCreate = components["schemas"]["SavedSearchCreate"];
export type ClickCreate = components["schemas"]["ClickCreate"];

export function useSaveSearch() {
  return useMutation({
    mutationFn: (body: SavedSearchCreate) => unwrap(api.POST("/api/saved-searches", { body })),
  });
}

/**
 * Tells analytics which result of a search was opened. Fire and forget: `mutate` never
 * waits or throws, nothing shows a failure, and `keepalive` lets the request outlive the
 * page should the user leave it.
 */
export function useReportClick() {
  return useMutation({
    mutationFn: (body: ClickCreate) =>
      unwrap(api.POST("/api/search/clicks", { body, keepalive: true })),
  });
}
