"use client";

import { Alert } from "@/components/ui/Alert";
import { Card } from "@/components/ui/Card";
import { Skeleton } from "@/components/ui/Skeleton";
import { Switch } from "@/components/ui/Switch";
import type { ConsentKind } from "@/hooks/privacy/keys";
import { useUpdateConsents } from "@/hooks/privacy/mutations";
import { useConsents } from "@/hooks/privacy/queries";
import { errorText } from "@/lib/api/problem";
import { saveConsent } from "@/lib/consent";
import { formatDate } from "@/lib/format";

const CHOICES: { kind: ConsentKind; label: string; description: string }[] = [
  {
    kind: "analytics",
    label: "Analytics cookies",
    description:
      "Google Analytics may learn how the app is used (cookies, usage data sent to Google; never your documents).",
  },
  {
    kind: "product_email",
    label: "Product e-mail",
    description:
      "Mail about your work in Sift: indexed documents, saved-search matches, digests. Security alerts and links you ask for always come.",
  },
];

const LABELS: Record<ConsentKind, string> = {
  analytics: "Analytics cookies",
  product_email: "Product e-mail",
};

export function ConsentCard() {
  const consents = useConsents();
  const update = useUpdateConsents();
  const data = consents.data;
  const error = errorText(consents.error);

  const choose = (kind: ConsentKind, granted: boolean) => {
    // The banner and the loader of Google Analytics read the choice from this browser.
    if (kind === "analytics") saveConsent(granted ? "granted" : "denied");
    update.mutate({ [kind]: granted });
  };

  return (
    <Card
      title="Consent choices"
      description="What you allow Sift to do beyond running your account. Change it at any time; every choice is kept below."
    >
      {error ? (
        <Alert>{error}</Alert>
      ) : data === undefined ? (
        <Skeleton className="h-32" />
      ) : (
        <div className="space-y-5">
          <div className="space-y-4">
            {CHOICES.map((choice) => (
              <Switch
                key={choice.kind}
                label={choice.label}
                description={choice.description}
                checked={data[choice.kind]}
                disabled={update.isPending}
                onChange={(granted) => choose(choice.kind, granted)}
              />
            ))}
          </div>
          <div>
            <h3 className="mb-2 text-sm font-medium text-slate-900 dark:text-slate-100">History</h3>
            {data.history.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">
                No choice made yet: analytics cookies are off, product e-mail is on.
              </p>
            ) : (
              <ul aria-label="Consent history" className="space-y-1 text-sm">
                {data.history.map((entry) => (
                  <li
                    key={`${entry.kind}-${entry.at}`}
                    data-testid="consent-history-entry"
                    className="flex justify-between gap-3 text-slate-700 dark:text-slate-300"
                  >
                    <span>
                      {LABELS[entry.kind]} {entry.granted ? "allowed" : "withdrawn"}
                    </span>
                    <time dateTime={entry.at} className="text-slate-500 dark:text-slate-400">
                      {formatDate(entry.at)}
                    </time>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
    </Card>
  );
}
