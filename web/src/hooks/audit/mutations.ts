"use client";

import { useMutation } from "@tanstack/react-query";
import { api } from "@/lib/api/client";
import { errorFromResponse } from "@/lib/api/problem";
import { saveFile } from "@/lib/download";
import { toastError } from "@/stores/toast";
import type { AuditFilters } from "./keys";

export type ExportFormat = "csv" | "json";

/** Save the entries matching `filters` as CSV or JSON (the export streams all of them). */
export function useExportAudit() {
  return useMutation({
    mutationFn: async ({ filters, format }: { filters: AuditFilters; format: ExportFormat }) => {
      const { data, response } = await api.GET("/api/audit/events/export", {
        params: { query: { ...filters, format } },
        parseAs: "blob",
      });
      if (!response.ok || !(data instanceof Blob)) throw await errorFromResponse(response);
      saveFile(data, `audit-log.${format}`);
    },
    onError: toastError,
  });
}
