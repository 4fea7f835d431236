import type { DocumentRead } from "@/hooks/documents/keys";
import { cn } from "@/lib/cn";

const STYLES: Record<DocumentRead["status"], { label: string; className: string }> = {
  uploaded: {
    label: "Uploaded",
    className: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200",
  },
  processing: {
    label: "Processing",
    className: "bg-blue-100 text-blue-800 dark:bg-blue-900/50 dark:text-blue-200",
  },
  indexed: {
    label: "Indexed",
    className: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-200",
  },
  failed: {
    label: "Failed",
    className: "bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-200",
  },
};

export function StatusBadge({ status }: { status: DocumentRead["status"] }) {
  const style = STYLES[status];
  const busy = status === "uploaded" || status === "processing";
  return (
    <span
      data-testid="document-status"
      data-status={status}
      className={cn(
        "inline-flex items-center gap-1.5 self-start rounded-full px-2 py-0.5 text-xs font-medium sm:self-auto",
        style.className,
      )}
    >
      {busy && <span aria-hidden className="h-1.5 w-1.5 animate-pulse rounded-full bg-current" />}
      {style.label}
    </span>
  );
}
