"use client";

import Link from "next/link";
import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Skeleton } from "@/components/ui/Skeleton";
import type { WatchedStatus } from "@/hooks/ingestion/keys";
import { useRetryDocument } from "@/hooks/ingestion/mutations";
import { useIngestionDocuments } from "@/hooks/ingestion/queries";
import { errorText } from "@/lib/api/problem";
import { formatDate } from "@/lib/format";
import { toastSuccess } from "@/stores/toast";
import { failureLabel } from "./failures";

const TEXT: Record<WatchedStatus, { title: string; description: string; empty: string }> = {
  failed: {
    title: "Failed documents",
    description:
      "Fix the file and upload it as a new version from the document's page, or retry as it is.",
    empty: "Nothing failed. Every document was indexed or is on its way.",
  },
  processing: {
    title: "Being processed",
    description: "Documents a worker is reading, chunking and indexing right now.",
    empty: "No document is being processed.",
  },
  uploaded: {
    title: "Waiting",
    description: "Documents queued for indexing.",
    empty: "No document is waiting.",
  },
};

/** The organization's documents in one status, latest change first; failed ones retry. */
export function WatchList({ status, pollMs }: { status: WatchedStatus; pollMs: number | false }) {
  const documents = useIngestionDocuments(status, pollMs);
  const { data } = documents;
  const error = errorText(documents.error);
  const retry = useRetryDocument();
  const text = TEXT[status];
  return (
    <Card title={text.title} description={text.description}>
      {error && <Alert>{error}</Alert>}
      {data === undefined && !error ? (
        <Skeleton className="h-14" />
      ) : data?.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">{text.empty}</p>
      ) : (
        <ul aria-label={text.title} className="divide-y divide-slate-200 dark:divide-slate-800">
          {(data ?? []).map((document) => (
            <li
              key={document.id}
              data-testid={`${status}-document`}
              className="flex flex-col gap-3 py-3 sm:flex-row sm:items-center sm:justify-between"
            >
              <div className="min-w-0 space-y-1">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                  <Link
                    href={`/documents/${document.id}`}
                    className="dark:text-brand-300 truncate text-brand-700 hover:underline"
                  >
                    {document.title}
                  </Link>
                  {document.error && (
                    <Badge tone="danger">{failureLabel(document.error.code)}</Badge>
                  )}
                </p>
                {document.error && (
                  <p className="text-sm text-slate-700 dark:text-slate-300">
                    {document.error.message}
                  </p>
                )}
                <p className="truncate text-xs text-slate-500 dark:text-slate-400">
                  {document.collection_name} · {document.filename} · version {document.version} ·{" "}
                  {formatDate(document.status_changed_at)}
                </p>
              </div>
              {status === "failed" && (
                <Button
                  variant="secondary"
                  className="h-8 shrink-0 px-3"
                  aria-label={`Retry ${document.title}`}
                  loading={retry.isPending && retry.variables === document.id}
                  onClick={() =>
                    retry.mutate(document.id, {
                      onSuccess: () => toastSuccess(`${document.title} is queued again.`),
                    })
                  }
                >
                  Retry
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
