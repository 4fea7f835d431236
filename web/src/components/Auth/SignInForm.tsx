"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { MfaRequiredError, useSignIn } from "@/hooks/auth/mutations";
import { useApiForm } from "@/hooks/useApiForm";
import { safeNext } from "@/lib/auth/redirect";
import { CurrentPasswordField, EmailField, MfaCodeField } from "./fields";
import { oauthErrorMessage } from "./oauthErrors";
import { ProviderButtons } from "./ProviderButtons";
import { signInSchema, type SignInValues } from "./schemas";

export function SignInForm() {
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get("next"));
  const oauthError = params.get("error");
  const [needsCode, setNeedsCode] = useState(false);
  const signIn = useSignIn();
  const { form, formError, setFormError, submit } = useApiForm<SignInValues>({
    schema: signInSchema,
    fields: ["email", "password", "mfa_code"],
    initialError: oauthError ? oauthErrorMessage(oauthError, params.get("provider")) : null,
    onSubmit: async (values) => {
      try {
        await signIn.mutateAsync({ ...values, mfa_code: values.mfa_code || null });
        router.replace(next);
      } catch (error) {
        if (!(error instanceof MfaRequiredError)) throw error;
        // Asked again after a code was sent: that code was wrong or expired.
        setFormError(
          needsCode && values.mfa_code
            ? "That code did not work. Try the current one, or a recovery code."
            : error.message,
        );
        setNeedsCode(true);
      }
    },
  });

  return (
    <>
      <form onSubmit={submit} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <EmailField form={form} name="email" />
        <CurrentPasswordField form={form} name="password" />
        <p className="-mt-2 text-right text-sm">
          <Link
            href="/forgot-password"
            className="font-medium text-brand-600 hover:underline dark:text-brand-100"
          >
            Forgot your password?
          </Link>
        </p>
        {needsCode && <MfaCodeField form={form} name="mfa_code" />}
        <Button type="submit" className="w-full" loading={form.formState.isSubmitting}>
          Sign in
        </Button>
      </form>
      {!needsCode && <ProviderButtons next={next} />}
    </>
  );
}
