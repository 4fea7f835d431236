"use client";

import { Badge } from "@/components/ui/Badge";
import { useAuditChain } from "@/hooks/audit/queries";

/** Whether the organization's hash chain still matches, and where it first does not; where
 * the check started once retention purged the oldest entries. */
export function ChainStatusBadge({ orgId }: { orgId: string }) {
  const { data, error } = useAuditChain(orgId);
  if (error) return <Badge tone="warning">Chain not checked</Badge>;
  if (!data) return <Badge>Checking the chain…</Badge>;
  return (
    <span data-testid="audit-chain" data-ok={data.ok ? "true" : "false"}>
      {data.ok ? (
        <Badge tone="success">
          Chain intact · {data.checked} entries
          {(data.first_seq ?? 1) > 1 && ` from #${data.first_seq} (older ones past retention)`}
        </Badge>
      ) : (
        <Badge tone="danger">Chain broken at entry #{data.first_mismatch_seq}</Badge>
      )}
    </span>
  );
}
