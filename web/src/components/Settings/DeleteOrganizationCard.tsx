"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Dialog } from "@/components/ui/Dialog";
import { Field } from "@/components/ui/Field";
import { useMfaStatus } from "@/hooks/auth/queries";
import { useDeleteOrganization } from "@/hooks/organizations/mutations";
import { usePrivacyRequest } from "@/hooks/privacy/queries";
import { errorText } from "@/lib/api/problem";
import type { Organization } from "@/stores/organizations";

const CONSEQUENCES = [
  "Every collection and document of the organization is deleted, with all their versions and files.",
  "Its search index, saved searches, search history and conversations are deleted, for every member.",
  "Its notifications, API keys, pending invitations and memberships are deleted.",
  "Members keep their accounts and their other organizations; they can no longer open this one.",
  "The audit log keeps a record of what happened in it.",
  "This cannot be undone.",
];

// What each service erases, in the order they are shown.
const PARTS: Record<string, string> = {
  documents: "Collections, documents and files",
  search: "Search index, saved searches, history",
  assistant: "Conversations",
  notifications: "Notifications",
  identity: "Members, invitations, API keys",
};

const order = (service: string) => {
  const index = Object.keys(PARTS).indexOf(service);
  return index === -1 ? Object.keys(PARTS).length : index;
};

function ConfirmDeletion({
  organization,
  open,
  onOpenChange,
  onDeleted,
}: {
  organization: Organization;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onDeleted: (requestId: string) => void;
}) {
  const mfa = useMfaStatus();
  const needsCode = Boolean(mfa.data && (mfa.data.totp || mfa.data.sms));
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const remove = useDeleteOrganization(onDeleted);
  const error = errorText(remove.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    remove.mutate({
      orgId: organization.id,
      body: { password, mfa_code: needsCode ? code : null },
    });
  };

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Delete ${organization.name}?`}
      description="Confirm it is you. Deletion starts at once and cannot be stopped."
    >
      <form onSubmit={submit} noValidate className="space-y-4">
        {error && <Alert>{error}</Alert>}
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        {needsCode && (
          <Field
            label="Two-step code"
            hint="A code from your authenticator app, or a recovery code."
            autoComplete="one-time-code"
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        )}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" loading={remove.isPending}>
            Delete organization
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** The danger zone of organization settings (owners of a shared organization only). */
export function DeleteOrganizationCard({
  organization,
  onDeleted,
}: {
  organization: Organization;
  onDeleted: (requestId: string) => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <Card
      title="Delete this organization"
      description={`What happens when you delete ${organization.name}:`}
      actions={
        <Button variant="danger" onClick={() => setOpen(true)}>
          Delete organization…
        </Button>
      }
    >
      <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700 dark:text-slate-300">
        {CONSEQUENCES.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <ConfirmDeletion
        organization={organization}
        open={open}
        onOpenChange={setOpen}
        onDeleted={onDeleted}
      />
    </Card>
  );
}

/** Each service's part of an organization's deletion, polled until all are done. */
export function OrganizationDeletionProgress({ requestId }: { requestId: string }) {
  const request = usePrivacyRequest(requestId);
  const data = request.data;
  const done = data?.status === "done";
  return (
    <Card
      title={done ? "Organization deleted" : "Deleting the organization"}
      description={
        done
          ? "Every service has erased its part. You are now in another of your organizations."
          : "Each service erases its part; one that is busy or down finishes when it is back."
      }
    >
      {request.isError && <Alert>{errorText(request.error)}</Alert>}
      {data && (
        <ul aria-label="Deletion progress" className="space-y-1 text-sm">
          {Object.entries(data.services)
            .sort(([a], [b]) => order(a) - order(b))
            .map(([service, status]) => (
              <li
                key={service}
                data-testid="deletion-part"
                className="flex items-center justify-between gap-3"
              >
                <span className="text-slate-700 dark:text-slate-300">
                  {PARTS[service] ?? service}
                </span>
                <Badge tone={status === "done" ? "success" : "neutral"}>
                  {status === "done" ? "Deleted" : "Waiting"}
                </Badge>
              </li>
            ))}
        </ul>
      )}
    </Card>
  );
}
