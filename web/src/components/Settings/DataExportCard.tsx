"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { useRequestExport } from "@/hooks/privacy/mutations";
import { useExport } from "@/hooks/privacy/queries";
import { errorText } from "@/lib/api/problem";
import { formatDate } from "@/lib/format";

// What each service's part holds, in the words of the archive's README.
const PARTS: Record<string, string> = {
  identity: "Profile, sessions, organizations, API keys",
  documents: "Collections and the files you uploaded",
  search: "Saved searches and search history",
  assistant: "Conversations with their sources",
  notifications: "Notifications and preferences",
  audit: "Consent choices and the audit log of what you did",
};

const order = (service: string) => {
  const index = Object.keys(PARTS).indexOf(service);
  return index === -1 ? Object.keys(PARTS).length : index;
};

export function DataExportCard() {
  const [exportId, setExportId] = useState<string | null>(null);
  const requestExport = useRequestExport();
  const current = useExport(exportId);
  const data = current.data;
  const error = errorText(requestExport.error) ?? errorText(current.error);
  const preparing = requestExport.isPending || data?.status === "pending";

  const start = () =>
    requestExport.mutate(undefined, { onSuccess: (made) => setExportId(made.id) });

  return (
    <Card
      title="Download your data"
      description="One ZIP archive with everything Sift keeps about you, as JSON, and the original files you uploaded."
      actions={
        <Button onClick={start} loading={preparing} disabled={preparing}>
          {data?.status === "ready" ? "Prepare a new archive" : "Download my data"}
        </Button>
      }
    >
      {error && <Alert>{error}</Alert>}
      {data && (
        <div className="space-y-3 text-sm">
          <ul aria-label="Export progress" className="space-y-1">
            {Object.entries(data.services)
              .sort(([a], [b]) => order(a) - order(b))
              .map(([service, status]) => (
                <li
                  key={service}
                  data-testid="export-part"
                  className="flex items-center justify-between gap-3"
                >
                  <span className="text-slate-700 dark:text-slate-300">
                    {PARTS[service] ?? service}
                  </span>
                  <Badge tone={status === "done" ? "success" : "neutral"}>
                    {status === "done" ? "Ready" : "Gathering"}
                  </Badge>
                </li>
              ))}
          </ul>
          {data.status === "expired" && (
            <p className="text-slate-600 dark:text-slate-400">
              This archive was deleted when its link expired. Ask for a new one.
            </p>
          )}
          {data.status === "failed" && (
            <Alert>The archive could not be put together. Please ask for a new one.</Alert>
          )}
          {data.status === "ready" && data.download_url && (
            <p className="flex flex-wrap items-center gap-3">
              <a
                href={data.download_url}
                download
                className="inline-flex h-9 items-center rounded-lg bg-brand-600 px-4 font-medium text-white hover:bg-brand-700 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
              >
                Download archive
              </a>
              {data.expires_at && (
                <span className="text-slate-600 dark:text-slate-400">
                  The link works until {formatDate(data.expires_at)}.
                </span>
              )}
            </p>
          )}
        </div>
      )}
    </Card>
  );
}
