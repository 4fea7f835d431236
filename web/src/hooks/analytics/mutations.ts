"use client";

import { useMutation } from "@tanstack/react-query";
import { api } from "@/lib/api/client";
import { errorFromResponse } from "@/lib/api/problem";
import { saveFile } from "@/lib/download";
import { toastError } from "@/stores/toast";
import type { AnalyticsArea, AnalyticsRange } from "./keys";

/** Save an area's series over `range` as CSV (fetched with the token: a plain link has none). */
export function useExportAnalytics() {
  return useMutation({
    mutationFn: async ({ area, range }: { area: AnalyticsArea; range: AnalyticsRange }) => {
      const { data, response } = await api.GET("/api/analytics/{area}/export", {
        params: { path: { area }, query: { ...range, format: "csv" } },
        parseAs: "blob",
      });
      if (!response.ok || !(data instanceof Blob)) throw await errorFromResponse(response);
      saveFile(data, `analytics-${area}.csv`);
    },
    onError: toastError,
  });
}
