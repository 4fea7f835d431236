"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Dialog } from "@/components/ui/Dialog";
import { Field } from "@/components/ui/Field";
import { Skeleton } from "@/components/ui/Skeleton";
import { useDisableMfa } from "@/hooks/auth/mutations";
import { useMfaStatus } from "@/hooks/auth/queries";
import { errorText } from "@/lib/api/problem";
import { toastSuccess } from "@/stores/toast";
import { TotpSetupDialog } from "./TotpSetupDialog";

function DisableDialog({
  open,
  onOpenChange,
  onDisabled,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onDisabled: () => void;
}) {
  const [password, setPassword] = useState("");
  const disable = useDisableMfa();
  const error = errorText(disable.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    disable.mutate(password, {
      onSuccess: () => {
        setPassword("");
        onOpenChange(false);
        onDisabled();
      },
    });
  };
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Turn off two-step verification?"
      description="Your recovery codes stop working too. Confirm with your password."
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
        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" loading={disable.isPending}>
            Turn off
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function MfaCard() {
  const mfa = useMfaStatus();
  const status = mfa.data;
  const error = errorText(mfa.error);
  const [setupOpen, setSetupOpen] = useState(false);
  const [disableOpen, setDisableOpen] = useState(false);
  const on = status ? status.totp || status.sms : false;

  return (
    <Card
      title="Two-step verification"
      description="Ask for a code from your phone when you sign in."
      actions={
        status && (on ? <Badge tone="success">On</Badge> : <Badge tone="neutral">Off</Badge>)
      }
    >
      {error && <Alert>{error}</Alert>}
      {!status && !error && <Skeleton className="h-10 w-64" />}
      {status && (
        <div className="space-y-3 text-sm">
          {on ? (
            <>
              <p className="text-slate-700 dark:text-slate-300">
                {status.totp ? "Authenticator app" : "Text message"} · {status.recovery_codes_left}{" "}
                recovery codes left
              </p>
              <Button variant="secondary" onClick={() => setDisableOpen(true)}>
                Turn off two-step verification
              </Button>
            </>
          ) : (
            <Button onClick={() => setSetupOpen(true)}>Set up authenticator app</Button>
          )}
        </div>
      )}
      <TotpSetupDialog open={setupOpen} onOpenChange={setSetupOpen} />
      <DisableDialog
        open={disableOpen}
        onOpenChange={setDisableOpen}
        onDisabled={() => toastSuccess("Two-step verification is off.")}
      />
    </Card>
  );
}
