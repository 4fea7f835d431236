"use client";

import { Field } from "@/components/ui/Field";
import { Select } from "@/components/ui/Select";
import { useCollections } from "@/hooks/collections/queries";
import { cn } from "@/lib/cn";
import { MODES, TYPES, type SearchState } from "./searchParams";

export function ModeSwitch({
  mode,
  onChange,
}: {
  mode: SearchState["mode"];
  onChange: (mode: SearchState["mode"]) => void;
}) {
  return (
    <div
      role="radiogroup"
      aria-label="Search mode"
      className="inline-flex rounded-lg border border-slate-300 bg-white p-0.5 dark:border-slate-700 dark:bg-slate-900"
    >
      {MODES.map((item) => (
        <button
          key={item.value}
          type="button"
          role="radio"
          aria-checked={mode === item.value}
          title={item.hint}
          onClick={() => onChange(item.value)}
          className={cn(
            "rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
            mode === item.value
              ? "bg-brand-600 text-white dark:bg-brand-500"
              : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
          )}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}

export function SearchFilters({
  state,
  onChange,
}: {
  state: SearchState;
  onChange: (patch: Partial<SearchState>) => void;
}) {
  const collections = useCollections().data ?? null;
  return (
    <div role="group" aria-label="Filters" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
      <Select
        label="Collection"
        value={state.collection}
        onChange={(event) => onChange({ collection: event.target.value })}
      >
        <option value="">All collections</option>
        {(collections ?? []).map((collection) => (
          <option key={collection.id} value={collection.id}>
            {collection.name}
          </option>
        ))}
      </Select>
      <Select
        label="Type"
        value={state.type}
        onChange={(event) => onChange({ type: event.target.value })}
      >
        <option value="">Any type</option>
        {TYPES.map((type) => (
          <option key={type.value} value={type.value}>
            {type.label}
          </option>
        ))}
      </Select>
      <Field
        label="Tag"
        defaultValue={state.tag}
        onBlur={(event) => onChange({ tag: event.target.value.trim() })}
        onKeyDown={(event) => {
          if (event.key === "Enter") onChange({ tag: event.currentTarget.value.trim() });
        }}
      />
      <Field
        label="Added after"
        type="date"
        value={state.after}
        onChange={(event) => onChange({ after: event.target.value })}
      />
      <Field
        label="Added before"
        type="date"
        value={state.before}
        onChange={(event) => onChange({ before: event.target.value })}
      />
    </div>
  );
}
