"use client";

import Link from "next/link";
import { Button } from "@/components/ui/Button";
import type { DocumentRead } from "@/hooks/documents/keys";
import { useReindexDocument } from "@/hooks/documents/mutations";
import { formatBytes, formatDate } from "@/lib/format";
import { StatusBadge } from "./StatusBadge";
import { failureMessage } from "./steps";

function RetryButton({ document }: { document: DocumentRead }) {
  const reindex = useReindexDocument();
  return (
    <Button
      variant="secondary"
      className="h-7 px-3 text-xs"
      loading={reindex.isPending}
      aria-label={`Retry ${document.title}`}
      onClick={() => reindex.mutate(document.id)}
    >
      Retry
    </Button>
  );
}

export function DocumentList({
  documents,
  canEdit = false,
}: {
  documents: DocumentRead[];
  canEdit?: boolean;
}) {
  return (
    <ul
      aria-label="Documents"
      className="divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
    >
      {documents.map((document) => (
        <li
          key={document.id}
          data-testid="document-row"
          className="flex flex-col gap-1 px-4 py-3 sm:flex-row sm:items-center sm:gap-4"
        >
          <div className="min-w-0 flex-1">
            <Link
              href={`/documents/${document.id}`}
              className="block truncate font-medium text-slate-900 hover:text-brand-600 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:text-slate-100 dark:hover:text-brand-100"
            >
              {document.title}
            </Link>
            <p className="truncate text-xs text-slate-500 dark:text-slate-400">
              {document.filename} · {formatBytes(document.size)} · {formatDate(document.created_at)}
              {document.tags.length > 0 && ` · ${document.tags.join(", ")}`}
            </p>
            {document.status === "failed" && (
              <p className="mt-1 text-xs text-red-600 dark:text-red-400">
                {failureMessage(document.error)}
              </p>
            )}
          </div>
          <div className="flex items-center gap-2">
            {canEdit && document.status === "failed" && <RetryButton document={document} />}
            <StatusBadge status={document.status} />
          </div>
        </li>
      ))}
    </ul>
  );
}
