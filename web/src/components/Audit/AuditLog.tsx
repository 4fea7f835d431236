"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import type { AuditFilters } from "@/hooks/audit/keys";
import { useExportAudit } from "@/hooks/audit/mutations";
import { useAuditEvents } from "@/hooks/audit/queries";
import { errorText } from "@/lib/api/problem";
import { AuditEntryRow } from "./AuditEntryRow";
import { AuditFiltersForm } from "./AuditFiltersForm";
import { ChainStatusBadge } from "./ChainStatusBadge";

/** The organization's audit log: filters, the entries newest first, export, chain status. */
export function AuditLog({ orgId, userId }: { orgId: string; userId: string | undefined }) {
  const [filters, setFilters] = useState<AuditFilters>({});
  const events = useAuditEvents(orgId, filters);
  const exportAudit = useExportAudit();
  const error = errorText(events.error);

  return (
    <Card
      title="Audit log"
      description="Everything people did in this organization, as each service recorded it. Entries cannot be changed."
      actions={<ChainStatusBadge orgId={orgId} />}
    >
      <div className="space-y-4">
        <AuditFiltersForm userId={userId} onApply={setFilters} />
        <div className="flex flex-wrap gap-2">
          {(["csv", "json"] as const).map((format) => (
            <Button
              key={format}
              variant="secondary"
              disabled={exportAudit.isPending}
              onClick={() => exportAudit.mutate({ filters, format })}
            >
              Export {format.toUpperCase()}
            </Button>
          ))}
        </div>
        {error && <Alert>{error}</Alert>}
        {events.items === undefined && !error ? (
          <Skeleton className="h-40" />
        ) : events.items && events.items.length === 0 ? (
          <EmptyState title="No entries">Nothing matches these filters.</EmptyState>
        ) : (
          <ul
            aria-label="Audit entries"
            className="divide-y divide-slate-200 dark:divide-slate-800"
          >
            {events.items?.map((entry) => (
              <AuditEntryRow key={entry.id} entry={entry} />
            ))}
          </ul>
        )}
        {events.hasNextPage && (
          <Button
            variant="secondary"
            disabled={events.isFetchingNextPage}
            onClick={() => void events.fetchNextPage()}
          >
            Show older entries
          </Button>
        )}
      </div>
    </Card>
  );
}
