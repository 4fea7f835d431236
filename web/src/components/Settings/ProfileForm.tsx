"use client";

import { z } from "zod";
import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import { useResendVerification, useUpdateProfile } from "@/hooks/auth/mutations";
import { useApiForm } from "@/hooks/useApiForm";
import type { User } from "@/stores/auth";
import { toastSuccess } from "@/stores/toast";

// Mirrors UserUpdate.
const profileSchema = z.object({
  name: z.string().trim().min(1, "Enter your name.").max(200, "Use at most 200 characters."),
});
type ProfileValues = z.infer<typeof profileSchema>;

export function ProfileForm({ user }: { user: User }) {
  const update = useUpdateProfile();
  const resendLink = useResendVerification();
  const resent = resendLink.isSuccess;
  const { form, formError, submit } = useApiForm<ProfileValues>({
    schema: profileSchema,
    fields: ["name"],
    defaultValues: { name: user.name },
    onSubmit: async (values) => {
      const updated = await update.mutateAsync(values);
      form.reset({ name: updated.name });
      toastSuccess("Profile saved.");
    },
  });
  const { register, formState } = form;
  const { errors, isSubmitting, isDirty } = formState;

  // A failure is toasted by the hook.
  const resend = () => resendLink.mutate();

  return (
    <Card title="Profile" description="How you appear to the people you work with.">
      <form onSubmit={submit} noValidate className="max-w-md space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field
          label="Name"
          autoComplete="name"
          error={errors.name?.message}
          {...register("name")}
        />
        <div className="space-y-1.5">
          <p className="text-sm font-medium text-slate-800 dark:text-slate-200">E-mail</p>
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span className="break-all">{user.email}</span>
            {user.email_verified ? (
              <Badge tone="success">Verified</Badge>
            ) : (
              <Badge tone="warning">Not verified</Badge>
            )}
          </div>
          {!user.email_verified &&
            (resent ? (
              <p role="status" className="text-xs text-slate-600 dark:text-slate-400">
                We sent a new verification link to {user.email}.
              </p>
            ) : (
              <Button type="button" variant="ghost" className="-ml-3 h-8" onClick={resend}>
                Send the verification link again
              </Button>
            ))}
        </div>
        <Button type="submit" loading={isSubmitting} disabled={!isDirty}>
          Save profile
        </Button>
      </form>
    </Card>
  );
}
