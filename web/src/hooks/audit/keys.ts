import type { components } from "@/lib/api/schema";

export type AuditEntry = components["schemas"]["AuditEntryRead"];
export type ChainStatus = components["schemas"]["ChainStatus"];

/** The audit log's filters as the API takes them (`from` inclusive, `to` exclusive). */
export interface AuditFilters {
  actor_id?: string;
  action?: string;
  target_type?: string;
  from?: string;
  to?: string;
}

export const auditKeys = {
  all: ["audit"] as const,
  list: (orgId: string, filters: AuditFilters) =>
    [...auditKeys.all, orgId, "events", filters] as const,
  chain: (orgId: string) => [...auditKeys.all, orgId, "chain"] as const,
};
