"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field } from "@/components/ui/Field";
import { useTotpEnable, useTotpSetup } from "@/hooks/auth/mutations";
import { messageOf } from "@/lib/api/problem";
import type { components } from "@/lib/api/schema";
import { QrCode } from "./QrCode";
import { RecoveryCodes } from "./RecoveryCodes";

type Setup = components["schemas"]["TotpSetupRead"];
type Step =
  { kind: "password" } | { kind: "scan"; setup: Setup } | { kind: "codes"; codes: string[] };

/** Password → scan the QR code and confirm a code → recovery codes. */
export function TotpSetupDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const [step, setStep] = useState<Step>({ kind: "password" });
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const setup = useTotpSetup();
  const enable = useTotpEnable();
  const busy = setup.isPending || enable.isPending;

  const close = (next: boolean) => {
    onOpenChange(next);
    if (!next) {
      setStep({ kind: "password" });
      setValue("");
      setError(null);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!value.trim()) {
      setError(step.kind === "password" ? "Enter your password." : "Enter the 6-digit code.");
      return;
    }
    setError(null);
    try {
      if (step.kind === "password") {
        setStep({ kind: "scan", setup: await setup.mutateAsync(value) });
      } else {
        const enabled = await enable.mutateAsync(value.replace(/\s/g, ""));
        setStep({ kind: "codes", codes: enabled.recovery_codes });
      }
      setValue("");
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={close}
      title="Set up an authenticator app"
      description={
        step.kind === "password"
          ? "Confirm your password to begin."
          : step.kind === "scan"
            ? "Scan the code with your authenticator app, then enter the code it shows."
            : "Two-step verification is on."
      }
    >
      {step.kind === "codes" ? (
        <div className="space-y-4">
          <RecoveryCodes codes={step.codes} />
          <div className="flex justify-end">
            <Button onClick={() => close(false)}>Done</Button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit} noValidate className="space-y-4">
          {step.kind === "scan" && (
            <div className="flex flex-col items-center gap-3">
              <QrCode
                value={step.setup.provisioning_uri}
                label="QR code for your authenticator app"
              />
              <p className="text-center text-xs text-slate-600 dark:text-slate-400">
                Cannot scan? Enter this key:{" "}
                <code
                  data-testid="totp-secret"
                  className="break-all font-mono text-slate-900 dark:text-slate-100"
                >
                  {step.setup.secret}
                </code>
              </p>
            </div>
          )}
          {error && <Alert>{error}</Alert>}
          {step.kind === "password" ? (
            <Field
              key="password"
              label="Password"
              type="password"
              autoComplete="current-password"
              value={value}
              onChange={(event) => setValue(event.target.value)}
            />
          ) : (
            <Field
              key="code"
              label="Code from the app"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={value}
              onChange={(event) => setValue(event.target.value)}
            />
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => close(false)}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {step.kind === "password" ? "Continue" : "Turn on"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
