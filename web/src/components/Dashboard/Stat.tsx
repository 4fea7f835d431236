/** A number of the range, with a stable test id and its raw value for the e2e suite. */
export function Stat({
  id,
  label,
  value,
  display,
  hint,
}: {
  id: string;
  label: string;
  value: number | null;
  display: string;
  hint?: string;
}) {
  return (
    <div
      className="min-w-0 rounded-lg border border-slate-200 p-3 dark:border-slate-800"
      data-testid={`stat-${id}`}
      data-value={value ?? ""}
    >
      <dt className="text-xs font-medium text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className="mt-1 truncate text-2xl font-semibold tabular-nums text-slate-900 dark:text-slate-50">
        {display}
      </dd>
      {hint && <dd className="mt-0.5 text-xs text-slate-600 dark:text-slate-400">{hint}</dd>}
    </div>
  );
}

export function StatGrid({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <dl aria-label={label} className="grid grid-cols-2 gap-3 sm:grid-cols-3 xl:grid-cols-5">
      {children}
    </dl>
  );
}
