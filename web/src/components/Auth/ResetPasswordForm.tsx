"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { applyServerErrors } from "@/hooks/useServerErrors";
import { api, unwrap } from "@/lib/api/client";
import { PASSWORD_MIN_LENGTH, resetPasswordSchema, type ResetPasswordValues } from "./schemas";

const LINK = "font-medium text-brand-600 hover:underline dark:text-brand-100";

export function ResetPasswordForm() {
  const token = useSearchParams().get("token");
  const [done, setDone] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<ResetPasswordValues>({
    resolver: zodResolver(resetPasswordSchema),
  });
  const { errors, isSubmitting } = formState;

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

  const onSubmit = handleSubmit(async ({ password }) => {
    setFormError(null);
    try {
      await unwrap(api.POST("/api/auth/password/reset", { body: { token, password } }));
      setDone(true);
    } catch (error) {
      setFormError(applyServerErrors(error, ["password"], setError));
    }
  });

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
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {formError && (
        <Alert>
          {formError}{" "}
          <Link href="/forgot-password" className="underline">
            Ask for a new link
          </Link>
        </Alert>
      )}
      <Field
        label="New password"
        type="password"
        autoComplete="new-password"
        hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
        error={errors.password?.message}
        {...register("password")}
      />
      <Field
        label="Repeat the new password"
        type="password"
        autoComplete="new-password"
        error={errors.confirm?.message}
        {...register("confirm")}
      />
      <Button type="submit" className="w-full" loading={isSubmitting}>
        Set new password
      </Button>
    </form>
  );
}
