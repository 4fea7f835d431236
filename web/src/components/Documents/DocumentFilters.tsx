"use client";

import { useEffect, useState } from "react";
import { Field } from "@/components/ui/Field";
import { Select } from "@/components/ui/Select";
import type { DocumentFilters as Filters, DocumentStatus } from "@/hooks/documents/keys";

const STATUSES: { value: DocumentStatus | ""; label: string }[] = [
  { value: "", label: "Any status" },
  { value: "uploaded", label: "Uploaded" },
  { value: "processing", label: "Processing" },
  { value: "indexed", label: "Indexed" },
  { value: "failed", label: "Failed" },
];

// Typing is debounced: one request when the user pauses, not one per key.
const DEBOUNCE_MS = 300;

export function DocumentFilters({ onChange }: { onChange: (filters: Filters) => void }) {
  const [q, setQ] = useState("");
  const [tag, setTag] = useState("");
  const [status, setStatus] = useState<DocumentStatus | "">("");

  useEffect(() => {
    const timer = setTimeout(() => onChange({ q: q.trim(), tag: tag.trim(), status }), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q, tag, status, onChange]);

  return (
    <div role="search" aria-label="Filter documents" className="grid gap-3 sm:grid-cols-3">
      <Field
        label="Title contains"
        type="search"
        value={q}
        onChange={(event) => setQ(event.target.value)}
      />
      <Field label="Tag" value={tag} onChange={(event) => setTag(event.target.value)} />
      <Select
        label="Status"
        value={status}
        onChange={(event) => setStatus(event.target.value as DocumentStatus | "")}
      >
        {STATUSES.map((item) => (
          <option key={item.value} value={item.value}>
            {item.label}
          </option>
        ))}
      </Select>
    </div>
  );
}
