"use client";

import { Badge } from "@/components/ui/Badge";
import { useAuditChain } from "@/hooks/audit/queries";

/** Whether the organization's hash chain still matches, and where it first does not. */
export function ChainStatusBadge({ orgId }: { orgId: string }) {
  const { data, error } = useAuditChain(orgId);
  if (error) return <Badge tone="warning">Chain not checked</Badge>;
  if (!data) return <Badge>Checking the chain…</Badge>;
  return (
    <span data-testid="audit-chain" data-ok={data.ok ? "true" : "false"}>
      {data.ok ? (
        <Badge tone="success">Chain intact · {data.checked} entries</Badge>
      ) : (
        <Badge tone="danger">Chain broken at entry #{data.first_mismatch_seq}</Badge>
      )}
    </span>
  );
}
