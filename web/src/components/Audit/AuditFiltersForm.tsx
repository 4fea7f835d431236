"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { Select } from "@/components/ui/Select";
import type { AuditFilters } from "@/hooks/audit/keys";

// What the log calls each kind of target, and how the filter names it.
const TARGET_TYPES: [string, string][] = [
  ["user", "user"],
  ["document", "document"],
  ["collection", "collection"],
  ["api_key", "API key"],
  ["invitation", "invitation"],
  ["saved_search", "saved search"],
  ["org", "organization"],
  ["request", "privacy request"],
];

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** A date input's day as the start of that day in UTC (`to` is then exclusive). */
function dayStart(day: string, plusDays = 0): string {
  const moment = new Date(`${day}T00:00:00Z`);
  moment.setUTCDate(moment.getUTCDate() + plusDays);
  return moment.toISOString();
}

/** The filters of the audit viewer; applied on submit. */
export function AuditFiltersForm({
  userId,
  onApply,
}: {
  userId: string | undefined;
  onApply: (filters: AuditFilters) => void;
}) {
  const [action, setAction] = useState("");
  const [targetType, setTargetType] = useState("");
  const [mine, setMine] = useState(false);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const actionError =
    action && !ACTION.test(action.trim()) ? "An event type, such as auth.login_succeeded" : "";
  const rangeError = from && to && from > to ? "“To” cannot be before “From”" : "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (actionError || rangeError) return;
    onApply({
      action: action.trim() || undefined,
      target_type: targetType || undefined,
      actor_id: mine && userId ? userId : undefined,
      from: from ? dayStart(from) : undefined,
      to: to ? dayStart(to, 1) : undefined,
    });
  };

  return (
    <form
      aria-label="Filter the audit log"
      onSubmit={submit}
      className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3"
    >
      <Field
        label="Action"
        placeholder="collection.created"
        value={action}
        onChange={(event) => setAction(event.target.value)}
        error={actionError}
      />
      <Select
        label="Target type"
        value={targetType}
        onChange={(event) => setTargetType(event.target.value)}
      >
        <option value="">Any</option>
        {TARGET_TYPES.map(([type, label]) => (
          <option key={type} value={type}>
            {label}
          </option>
        ))}
      </Select>
      <label className="flex items-center gap-2 self-end pb-2 text-sm font-medium text-slate-800 dark:text-slate-200">
        <input
          type="checkbox"
          checked={mine}
          onChange={(event) => setMine(event.target.checked)}
          className="h-4 w-4 rounded border-slate-300"
        />
        Only my actions
      </label>
      <Field label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      <Field
        label="To"
        type="date"
        value={to}
        onChange={(e) => setTo(e.target.value)}
        error={rangeError}
      />
      <div className="self-end">
        <Button type="submit">Apply filters</Button>
      </div>
    </form>
  );
}
