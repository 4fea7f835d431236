"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import { applyServerErrors } from "@/hooks/useServerErrors";
import { api, unwrap } from "@/lib/api/client";
import { useAuthStore, type User } from "@/stores/auth";
import { toastError, toastSuccess } from "@/stores/toast";

// Mirrors UserUpdate.
const profileSchema = z.object({
  name: z.string().trim().min(1, "Enter your name.").max(200, "Use at most 200 characters."),
});
type ProfileValues = z.infer<typeof profileSchema>;

export function ProfileForm({ user }: { user: User }) {
  const [formError, setFormError] = useState<string | null>(null);
  const [resent, setResent] = useState(false);
  const { register, handleSubmit, setError, reset, formState } = useForm<ProfileValues>({
    resolver: zodResolver(profileSchema),
    defaultValues: { name: user.name },
  });
  const { errors, isSubmitting, isDirty } = formState;

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      const updated = await unwrap(api.PATCH("/api/users/me", { body: values }));
      useAuthStore.getState().setUser(updated);
      reset({ name: updated.name });
      toastSuccess("Profile saved.");
    } catch (error) {
      setFormError(applyServerErrors(error, ["name"], setError));
    }
  });

  const resend = async () => {
    try {
      await unwrap(api.POST("/api/auth/email/verify/resend"));
      setResent(true);
    } catch (error) {
      toastError(error);
    }
  };

  return (
    <Card title="Profile" description="How you appear to the people you work with.">
      <form onSubmit={onSubmit} noValidate className="max-w-md space-y-4">
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
