"use client";

import { useState } from "react";
import { z } from "zod";
import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Field } from "@/components/ui/Field";
import { Skeleton } from "@/components/ui/Skeleton";
import type { Phone } from "@/hooks/notificationPhone/keys";
import {
  useRemoveNotificationPhone,
  useSetNotificationPhone,
  useVerifyNotificationPhone,
} from "@/hooks/notificationPhone/mutations";
import { useNotificationPhone } from "@/hooks/notificationPhone/queries";
import { useApiForm } from "@/hooks/useApiForm";
import { errorText } from "@/lib/api/problem";
import { toastSuccess } from "@/stores/toast";

// The server's check (E.164 once spaces, dashes, dots and brackets are dropped) decides:
// this one only stops an empty or clearly wrong submit.
const numberSchema = z.object({
  number: z
    .string()
    .trim()
    .min(1, "Enter your mobile number.")
    .max(32, "That is too long for a phone number."),
});
const codeSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "Enter the 6-digit code from the text."),
});

/** The phone SMS notifications go to: enter it, verify it with the texted code, remove it. */
export function PhoneCard() {
  const phone = useNotificationPhone();
  const error = errorText(phone.error);
  return (
    <Card
      title="Phone for text messages"
      description="Security alerts, and the notifications you choose, can also come by SMS."
    >
      {error ? (
        <Alert>{error}</Alert>
      ) : !phone.data ? (
        <Skeleton className="h-24" />
      ) : (
        <PhoneState phone={phone.data} />
      )}
    </Card>
  );
}

function PhoneState({ phone }: { phone: Phone }) {
  const [changing, setChanging] = useState(false);
  if (phone.verified && phone.number && !changing) {
    return <VerifiedPhone number={phone.number} onChange={() => setChanging(true)} />;
  }
  if (phone.number && !phone.verified && !changing) {
    return <CodeForm number={phone.number} onChangeNumber={() => setChanging(true)} />;
  }
  return <NumberForm onSent={() => setChanging(false)} />;
}

function NumberForm({ onSent }: { onSent: () => void }) {
  const setPhone = useSetNotificationPhone();
  const { form, formError, submit } = useApiForm<z.infer<typeof numberSchema>>({
    schema: numberSchema,
    fields: ["number"],
    defaultValues: { number: "" },
    onSubmit: async ({ number }) => {
      await setPhone.mutateAsync(number);
      toastSuccess("A code is on its way by text message.");
      onSent();
    },
  });
  const { errors, isSubmitting } = form.formState;
  return (
    <form onSubmit={submit} noValidate className="max-w-md space-y-4">
      {formError && <Alert>{formError}</Alert>}
      <Field
        label="Mobile number"
        type="tel"
        autoComplete="tel"
        placeholder="+4915112345678"
        hint="In international form: a plus, the country code, then the number (E.164)."
        error={errors.number?.message}
        {...form.register("number")}
      />
      <Button type="submit" loading={isSubmitting}>
        Text me a code
      </Button>
    </form>
  );
}

function CodeForm({ number, onChangeNumber }: { number: string; onChangeNumber: () => void }) {
  const verify = useVerifyNotificationPhone();
  const { form, formError, submit } = useApiForm<z.infer<typeof codeSchema>>({
    schema: codeSchema,
    fields: ["code"],
    defaultValues: { code: "" },
    onSubmit: async ({ code }) => {
      await verify.mutateAsync(code);
      toastSuccess("Phone number verified.");
    },
  });
  const { errors, isSubmitting } = form.formState;
  return (
    <form onSubmit={submit} noValidate className="max-w-md space-y-4">
      <p className="text-sm">
        We texted a code to <span className="font-medium">{number}</span>. It expires in a few
        minutes.
      </p>
      {formError && <Alert>{formError}</Alert>}
      <Field
        label="Code"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={6}
        error={errors.code?.message}
        {...form.register("code")}
      />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" loading={isSubmitting}>
          Verify
        </Button>
        <Button type="button" variant="secondary" onClick={onChangeNumber}>
          Use another number or a new code
        </Button>
      </div>
    </form>
  );
}

function VerifiedPhone({ number, onChange }: { number: string; onChange: () => void }) {
  const remove = useRemoveNotificationPhone();
  return (
    <div className="space-y-4">
      <p className="flex items-center gap-2 text-sm">
        <span className="font-medium" data-testid="verified-phone">
          {number}
        </span>
        <Badge tone="success">Verified</Badge>
      </p>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" onClick={onChange}>
          Change number
        </Button>
        <ConfirmDialog
          title="Remove this phone number?"
          description="Text messages stop, security alerts included; SMS is switched off for every notification."
          confirmLabel="Remove"
          onConfirm={async () => {
            await remove.mutateAsync();
            toastSuccess("Phone number removed.");
          }}
          trigger={(open) => (
            <Button type="button" variant="danger" onClick={open}>
              Remove number
            </Button>
          )}
        />
      </div>
    </div>
  );
}
