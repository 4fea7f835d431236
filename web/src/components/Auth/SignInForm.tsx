"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { applyServerErrors } from "@/hooks/useServerErrors";
import { MfaRequiredError, signIn } from "@/lib/auth/actions";
import { safeNext } from "@/lib/auth/redirect";
import { oauthErrorMessage } from "./oauthErrors";
import { ProviderButtons } from "./ProviderButtons";
import { signInSchema, type SignInValues } from "./schemas";

export function SignInForm() {
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get("next"));
  const oauthError = params.get("error");
  const [formError, setFormError] = useState<string | null>(
    oauthError ? oauthErrorMessage(oauthError, params.get("provider")) : null,
  );
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
        // Asked again after a code was sent: that code was wrong or expired.
        setFormError(
          needsCode && values.mfa_code
            ? "That code did not work. Try the current one, or a recovery code."
            : error.message,
        );
        setNeedsCode(true);
        return;
      }
      setFormError(applyServerErrors(error, ["email", "password", "mfa_code"], setError));
    }
  });

  return (
    <>
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
        <p className="-mt-2 text-right text-sm">
          <Link
            href="/forgot-password"
            className="font-medium text-brand-600 hover:underline dark:text-brand-100"
          >
            Forgot your password?
          </Link>
        </p>
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
      {!needsCode && <ProviderButtons next={next} />}
    </>
  );
}
