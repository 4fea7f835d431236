"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Dialog } from "@/components/ui/Dialog";
import { Field } from "@/components/ui/Field";
import { useSignOut } from "@/hooks/auth/mutations";
import { useMfaStatus } from "@/hooks/auth/queries";
import { useRequestErasure } from "@/hooks/privacy/mutations";
import { errorText } from "@/lib/api/problem";

const CONSEQUENCES = [
  "You are signed out everywhere and cannot sign in again.",
  "Your profile, sessions, API keys and two-step settings are deleted.",
  "Organizations where you are the only member are deleted with everything in them.",
  "Documents you uploaded to a shared organization stay with it, no longer linked to you.",
  "Your saved searches, search history, conversations and notifications are deleted.",
  "If you are the only owner of an organization with other members, make one of them an owner first.",
  "This cannot be undone. Download your data first if you want a copy.",
];

function ConfirmDeletion({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const router = useRouter();
  const mfa = useMfaStatus();
  const needsCode = Boolean(mfa.data && (mfa.data.totp || mfa.data.sms));
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const erase = useRequestErasure();
  const signOut = useSignOut();
  const error = errorText(erase.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    erase.mutate(
      { password, mfa_code: needsCode ? code : null },
      {
        onSuccess: () =>
          signOut
            .mutateAsync({})
            .catch(() => undefined)
            .then(() => router.replace("/sign-in?account=deleted")),
      },
    );
  };

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Delete your account?"
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
          <Button type="submit" variant="danger" loading={erase.isPending || signOut.isPending}>
            Delete my account
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function DeleteAccountCard() {
  const [open, setOpen] = useState(false);
  return (
    <Card
      title="Delete your account"
      description="What happens when you delete your account:"
      actions={
        <Button variant="danger" onClick={() => setOpen(true)}>
          Delete account…
        </Button>
      }
    >
      <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700 dark:text-slate-300">
        {CONSEQUENCES.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <ConfirmDeletion open={open} onOpenChange={setOpen} />
    </Card>
  );
}
