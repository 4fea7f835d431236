"use client";

import { useRouter } from "next/navigation";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useSignUp } from "@/hooks/auth/mutations";
import { useApiForm } from "@/hooks/useApiForm";
import { HOME } from "@/lib/auth/redirect";
import { EmailField, NameField, NewPasswordField } from "./fields";
import { PASSWORD_MIN_LENGTH, signUpSchema, type SignUpValues } from "./schemas";

export function SignUpForm() {
  const router = useRouter();
  const signUp = useSignUp();
  const { form, formError, submit } = useApiForm<SignUpValues>({
    schema: signUpSchema,
    fields: ["name", "email", "password"],
    onSubmit: async (values) => {
      await signUp.mutateAsync(values);
      router.replace(HOME);
    },
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      {formError && <Alert>{formError}</Alert>}
      <NameField form={form} name="name" />
      <EmailField form={form} name="email" />
      <NewPasswordField
        form={form}
        name="password"
        label="Password"
        hint={`At least ${PASSWORD_MIN_LENGTH} characters; a passphrase of a few unrelated words works well.`}
      />
      <Button type="submit" className="w-full" loading={form.formState.isSubmitting}>
        Create account
      </Button>
    </form>
  );
}
