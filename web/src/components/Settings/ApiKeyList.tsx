"use client";

import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useRevokeApiKey } from "@/hooks/apiKeys/mutations";
import { useApiKeys } from "@/hooks/apiKeys/queries";
import { errorText } from "@/lib/api/problem";
import { formatDate } from "@/lib/format";
import { toastError, toastSuccess } from "@/stores/toast";
import { CreateApiKeyDialog } from "./CreateApiKeyDialog";

export function ApiKeyList({ orgId }: { orgId: string }) {
  const keys = useApiKeys(orgId);
  const { data } = keys;
  const error = errorText(keys.error);
  const revokeKey = useRevokeApiKey(orgId);

  const revoke = async (keyId: string) => {
    try {
      await revokeKey.mutateAsync(keyId);
      toastSuccess("API key revoked.");
    } catch (failure) {
      toastError(failure);
    }
  };

  const active = (data ?? []).filter((key) => !key.revoked_at);

  return (
    <Card
      title="API keys"
      description="Keys let scripts and integrations call Sift for this organization."
      actions={<CreateApiKeyDialog orgId={orgId} />}
    >
      {error && <Alert>{error}</Alert>}
      {data === undefined && !error ? (
        <Skeleton className="h-14" />
      ) : active.length === 0 ? (
        <EmptyState title="No API keys">Create one for each script or integration.</EmptyState>
      ) : (
        <ul aria-label="API keys" className="divide-y divide-slate-200 dark:divide-slate-800">
          {active.map((key) => (
            <li
              key={key.id}
              data-testid="api-key-row"
              className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between"
            >
              <div className="min-w-0">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                  {key.name}
                  <code className="text-xs text-slate-500 dark:text-slate-400">
                    sift_{key.prefix}_…
                  </code>
                  {key.expires_at && new Date(key.expires_at) < new Date() && (
                    <Badge tone="warning">Expired</Badge>
                  )}
                </p>
                <p className="text-xs text-slate-500 dark:text-slate-400">
                  {key.permissions.join(", ")} · created {formatDate(key.created_at)}
                  {key.expires_at ? ` · expires ${formatDate(key.expires_at)}` : ""} ·{" "}
                  {key.last_used_at ? `last used ${formatDate(key.last_used_at)}` : "never used"}
                </p>
              </div>
              <ConfirmDialog
                title={`Revoke “${key.name}”?`}
                description="Scripts using this key stop working at once. This cannot be undone."
                confirmLabel="Revoke key"
                onConfirm={() => revoke(key.id)}
                trigger={(open) => (
                  <Button
                    variant="secondary"
                    className="h-8 self-start sm:self-auto"
                    aria-label={`Revoke ${key.name}`}
                    onClick={open}
                  >
                    Revoke
                  </Button>
                )}
              />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
