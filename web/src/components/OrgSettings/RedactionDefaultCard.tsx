"use client";

import { Alert } from "@/components/ui/Alert";
import { Card } from "@/components/ui/Card";
import { Skeleton } from "@/components/ui/Skeleton";
import { Switch } from "@/components/ui/Switch";
import { useUpdateDocumentSettings } from "@/hooks/orgSettings/mutations";
import { useDocumentSettings } from "@/hooks/orgSettings/queries";
import { errorText } from "@/lib/api/problem";
import { toastSuccess } from "@/stores/toast";

/** Whether new collections redact personal data unless their creator says otherwise. */
export function RedactionDefaultCard() {
  const settings = useDocumentSettings();
  const update = useUpdateDocumentSettings();
  const error = errorText(settings.error) ?? errorText(update.error);
  const change = (on: boolean) =>
    update.mutate(
      { redact_pii_default: on },
      {
        onSuccess: () =>
          toastSuccess(
            on
              ? "New collections now redact personal data."
              : "New collections no longer redact personal data.",
          ),
      },
    );
  return (
    <Card
      title="New collections"
      description="Existing collections keep their own setting; each collection can still be changed."
    >
      <div className="space-y-3">
        {error && <Alert>{error}</Alert>}
        {settings.data ? (
          <Switch
            label="Redact personal data by default"
            description="Search indexes e-mail addresses, phone numbers, IBANs, card numbers and IP addresses as placeholders."
            checked={settings.data.redact_pii_default}
            disabled={update.isPending}
            onChange={change}
          />
        ) : (
          !error && <Skeleton className="h-12" />
        )}
      </div>
    </Card>
  );
}
