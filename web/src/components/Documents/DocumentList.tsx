import type { DocumentRead } from "@/hooks/useDocuments";
import { formatBytes, formatDate } from "@/lib/format";
import { StatusBadge } from "./StatusBadge";

export function DocumentList({ documents }: { documents: DocumentRead[] }) {
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
            <p className="truncate font-medium text-slate-900 dark:text-slate-100">
              {document.title}
            </p>
            <p className="truncate text-xs text-slate-500 dark:text-slate-400">
              {document.filename} · {formatBytes(document.size)} · {formatDate(document.created_at)}
            </p>
            {document.status === "failed" && document.error && (
              <p className="mt-1 text-xs text-red-600 dark:text-red-400">
                {document.error.message}
              </p>
            )}
          </div>
          <StatusBadge status={document.status} />
        </li>
      ))}
    </ul>
  );
}
