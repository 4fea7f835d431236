import type { AuditEntry } from "@/hooks/audit/keys";
import { formatDate } from "@/lib/format";

function who(entry: AuditEntry): string {
  if (!entry.actor) return "Sift";
  if (entry.actor.label) return entry.actor.label;
  return entry.actor.id
    ? `User ${entry.actor.id.slice(0, 8)}`
    : `Erased (${entry.actor.pseudonym})`;
}

/** One entry: when, who, what, on what, from where. */
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
