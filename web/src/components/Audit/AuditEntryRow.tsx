import type { AuditEntry } from "@/hooks/audit/keys";
import { formatDate } from "@/lib/format";

function who(entry: AuditEntry): string {
  if (!entry.actor) return "Sift";
  if (entry.actor.label) return entry.actor.label;
  return entry.actor.id
    ? `User ${entry.actor.id.slice(0, 8)}`
    : `Erased (${entry.actor.pseudonym})`;
}

const RECEIPTS = new Set(["privacy.erasure_finished", "privacy.member_erased"]);

interface ErasedCounts {
  erased: number;
  anonymized: number;
}

/** An erasure's receipt in words: how much went, across how many services. */
export function receiptSummary(entry: AuditEntry): string | null {
  if (!RECEIPTS.has(entry.action)) return null;
  const services = (entry.data.services ?? {}) as Record<string, ErasedCounts>;
  const parts = Object.values(services);
  if (parts.length === 0) return null;
  const erased = parts.reduce((sum, part) => sum + (part.erased ?? 0), 0);
  const anonymized = parts.reduce((sum, part) => sum + (part.anonymized ?? 0), 0);
  const across = `${parts.length} service${parts.length === 1 ? "" : "s"}`;
  return `Receipt: ${erased} erased, ${anonymized} anonymized across ${across}`;
}

/** One entry: when, who, what, on what, from where; its recorded data on demand. */
export function AuditEntryRow({ entry }: { entry: AuditEntry }) {
  return (
    <li
      data-testid="audit-row"
      className="grid gap-1 py-3 text-sm sm:grid-cols-[3rem_10rem_1fr_1fr] sm:gap-3"
    >
      <span className="text-xs text-slate-500 dark:text-slate-400">#{entry.seq}</span>
      <time dateTime={entry.occurred_at} className="text-slate-600 dark:text-slate-300">
        {formatDate(entry.occurred_at)}
      </time>
      <span className="min-w-0">
        <code className="font-medium text-slate-900 dark:text-slate-50">{entry.action}</code>
        <span className="block truncate text-xs text-slate-500 dark:text-slate-400">
          {entry.target_type ? `${entry.target_type} ${entry.target_id ?? ""}` : "—"}
        </span>
        {receiptSummary(entry) && (
          <span
            className="block text-xs text-slate-700 dark:text-slate-200"
            data-testid="audit-receipt"
          >
            {receiptSummary(entry)}
          </span>
        )}
        {Object.keys(entry.data).length > 0 && (
          <details className="mt-1 text-xs">
            <summary className="cursor-pointer text-slate-600 dark:text-slate-300">Details</summary>
            <pre className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 text-slate-800 dark:bg-slate-900 dark:text-slate-100">
              {JSON.stringify(entry.data, null, 2)}
            </pre>
          </details>
        )}
      </span>
      <span className="min-w-0">
        <span className="block truncate" data-testid="audit-actor">
          {who(entry)}
        </span>
        <span className="block truncate text-xs text-slate-500 dark:text-slate-400">
          {[entry.ip, entry.user_agent].filter(Boolean).join(" · ") || "—"}
        </span>
      </span>
    </li>
  );
}
