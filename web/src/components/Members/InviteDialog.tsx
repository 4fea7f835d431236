"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field } from "@/components/ui/Field";
import { Select } from "@/components/ui/Select";
import { applyServerErrors } from "@/hooks/useServerErrors";
import { api, unwrap } from "@/lib/api/client";
import { toastSuccess } from "@/stores/toast";
import { invitationSchema, ROLES, type InvitationValues } from "./roles";

export function InviteDialog({
  orgId,
  canInviteOwners,
}: {
  orgId: string;
  canInviteOwners: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, reset, formState } = useForm<InvitationValues>({
    resolver: zodResolver(invitationSchema),
    defaultValues: { email: "", role: "viewer" },
  });
  const { errors, isSubmitting } = formState;

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await unwrap(
        api.POST("/api/orgs/{org_id}/invitations", {
          params: { path: { org_id: orgId } },
          body: values,
        }),
      );
      toastSuccess(`Invitation sent to ${values.email}.`);
      reset();
      setOpen(false);
    } catch (error) {
      setFormError(applyServerErrors(error, ["email", "role"], setError));
    }
  });

  return (
    <>
      <Button onClick={() => setOpen(true)}>Invite member</Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Invite a member"
        description="They get an e-mail with a link to join this organization."
      >
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          {formError && <Alert>{formError}</Alert>}
          <Field
            label="E-mail"
            type="email"
            autoComplete="off"
            autoFocus
            error={errors.email?.message}
            {...register("email")}
          />
          <Select label="Role" error={errors.role?.message} {...register("role")}>
            {ROLES.filter((role) => canInviteOwners || role.value !== "owner").map((role) => (
              <option key={role.value} value={role.value}>
                {role.label} — {role.description}
              </option>
            ))}
          </Select>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" loading={isSubmitting}>
              Send invitation
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
