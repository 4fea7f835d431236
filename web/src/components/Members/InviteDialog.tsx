"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field } from "@/components/ui/Field";
import { Select } from "@/components/ui/Select";
import { useInviteMember } from "@/hooks/members/mutations";
import { useApiForm } from "@/hooks/useApiForm";
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
  const invite = useInviteMember(orgId);
  const { form, formError, submit } = useApiForm<InvitationValues>({
    schema: invitationSchema,
    fields: ["email", "role"],
    defaultValues: { email: "", role: "viewer" },
    onSubmit: async (values) => {
      await invite.mutateAsync(values);
      toastSuccess(`Invitation sent to ${values.email}.`);
      form.reset();
      setOpen(false);
    },
  });
  const { register, formState } = form;
  const { errors, isSubmitting } = formState;

  return (
    <>
      <Button onClick={() => setOpen(true)}>Invite member</Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Invite a member"
        description="They get an e-mail with a link to join this organization."
      >
        <form onSubmit={submit} noValidate className="space-y-4">
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
