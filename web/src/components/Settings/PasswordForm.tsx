"use client";

import {
  CurrentPasswordField,
  NewPasswordField,
  RepeatPasswordField,
} from "@/components/Auth/fields";
import { changePasswordSchema, type ChangePasswordValues } from "@/components/Auth/schemas";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { useChangePassword } from "@/hooks/auth/mutations";
import { useApiForm } from "@/hooks/useApiForm";
import { toastSuccess } from "@/stores/toast";

export function PasswordForm() {
  const changePassword = useChangePassword();
  const { form, formError, submit } = useApiForm<ChangePasswordValues>({
    schema: changePasswordSchema,
    fields: ["current_password", "new_password"],
    defaultValues: { current_password: "", new_password: "", confirm: "" },
    onSubmit: async ({ current_password, new_password }) => {
      await changePassword.mutateAsync({ current_password, new_password });
      form.reset();
      toastSuccess("Password changed. Your other sessions were signed out.");
    },
  });

  return (
    <Card title="Password" description="Changing it signs out your other sessions.">
      <form onSubmit={submit} noValidate className="max-w-md space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <CurrentPasswordField form={form} name="current_password" label="Current password" />
        <NewPasswordField form={form} name="new_password" />
        <RepeatPasswordField form={form} name="confirm" />
        <Button type="submit" loading={form.formState.isSubmitting}>
          Change password
        </Button>
      </form>
    </Card>
  );
}
