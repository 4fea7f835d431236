"use client";

import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";

type SavedSearchCreate = components["schemas"]["SavedSearchCreate"];

export function useSaveSearch() {
  return useMutation({
    mutationFn: (body: SavedSearchCreate) => unwrap(api.POST("/api/saved-searches", { body })),
  });
}
