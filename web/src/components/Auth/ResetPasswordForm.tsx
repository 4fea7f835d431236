"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useResetPassword } from "@/hooks/auth/mutations";
import { useApiForm } from "@/hooks/useApiForm";
import { NewPasswordField, RepeatPasswordField } from "./fields";
import { resetPasswordSchema, type ResetPasswordValues } from "./schemas";

const LINK = "font-medium text-brand-600 hover:underline dark:text-brand-100";

export function ResetPasswordForm() {
  const token = useSearchParams().get("token");
  const [done, setDone] = useState(false);
  const reset = useResetPassword();
  const { form, formError, submit } = useApiForm<ResetPasswordValues>({
    schema: resetPasswordSchema,
    fields: ["password"],
    onSubmit: async ({ password }) => {
      await reset.mutateAsync({ token: token ?? "", password });
      setDone(true);
    },
  });

  if (!token) {
    return (
      <Alert>
        This link is incomplete. Open the link from the e-mail again, or{" "}
        <Link href="/forgot-password" className="underline">
          ask for a new one
        </Link>
        .
      </Alert>
    );
  }

  if (done) {
    return (
      <div role="status" className="space-y-2 text-sm text-slate-700 dark:text-slate-300">
        <p className="font-medium text-slate-900 dark:text-slate-100">Password changed</p>
        <p>
          Every session was signed out.{" "}
          <Link href="/sign-in" className={LINK}>
            Sign in with your new password
          </Link>
          .
        </p>
      </div>
    );
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      {formError && (
        <Alert>
          {formError}{" "}
          <Link href="/forgot-password" className="underline">
            Ask for a new link
          </Link>
        </Alert>
      )}
      <NewPasswordField form={form} name="password" />
      <RepeatPasswordField form={form} name="confirm" />
      <Button type="submit" className="w-full" loading={form.formState.isSubmitting}>
        Set new password
      </Button>
    </form>
  );
}
