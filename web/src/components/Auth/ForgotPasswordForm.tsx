"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useForgotPassword } from "@/hooks/auth/mutations";
import { useApiForm } from "@/hooks/useApiForm";
import { EmailField } from "./fields";
import { forgotPasswordSchema, type ForgotPasswordValues } from "./schemas";

export function ForgotPasswordForm() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const forgot = useForgotPassword();
  const { form, formError, submit } = useApiForm<ForgotPasswordValues>({
    schema: forgotPasswordSchema,
    fields: ["email"],
    onSubmit: async (values) => {
      await forgot.mutateAsync(values);
      setSentTo(values.email);
    },
  });

  if (sentTo) {
    // The server answers the same whether the account exists: so does the page.
    return (
      <div role="status" className="space-y-2 text-sm text-slate-700 dark:text-slate-300">
        <p className="font-medium text-slate-900 dark:text-slate-100">Check your inbox</p>
        <p>
          If an account uses <strong>{sentTo}</strong>, we sent it a link to choose a new password.
          The link works once and expires soon.
        </p>
      </div>
    );
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      {formError && <Alert>{formError}</Alert>}
      <EmailField form={form} name="email" />
      <Button type="submit" className="w-full" loading={form.formState.isSubmitting}>
        Send reset link
      </Button>
    </form>
  );
}
