"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { applyServerErrors } from "@/hooks/useServerErrors";
import { MfaRequiredError, signIn } from "@/lib/auth/actions";
import { safeNext } from "@/lib/auth/redirect";
import { signInSchema, type SignInValues } from "./schemas";

export function SignInForm() {
  const router = useRouter();
  const next = safeNext(useSearchParams().get("next"));
  const [formError, setFormError] = useState<string | null>(null);
  const [needsCode, setNeedsCode] = useState(false);
  const { register, handleSubmit, setError, formState } = useForm<SignInValues>({
    resolver: zodResolver(signInSchema),
  });
  const { errors, isSubmitting } = formState;

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await signIn({ ...values, mfa_code: values.mfa_code || null });
      router.replace(next);
    } catch (error) {
      if (error instanceof MfaRequiredError) {
        setNeedsCode(true);
        setFormError(error.message);
        return;
      }
      setFormError(applyServerErrors(error, ["email", "password", "mfa_code"], setError));
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {formError && <Alert>{formError}</Alert>}
      <Field
        label="E-mail"
        type="email"
        autoComplete="email"
        error={errors.email?.message}
        {...register("email")}
      />
      <Field
        label="Password"
        type="password"
        autoComplete="current-password"
        error={errors.password?.message}
        {...register("password")}
      />
      {needsCode && (
        <Field
          label="Authentication code"
          inputMode="numeric"
          autoComplete="one-time-code"
          autoFocus
          error={errors.mfa_code?.message}
          {...register("mfa_code")}
        />
      )}
      <Button type="submit" className="w-full" loading={isSubmitting}>
        Sign in
      </Button>
    </form>
  );
}
