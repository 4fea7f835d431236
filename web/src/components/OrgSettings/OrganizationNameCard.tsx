"use client";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import { useRenameOrganization } from "@/hooks/organizations/mutations";
import type { Organization } from "@/hooks/organizations/queries";
import { useApiForm } from "@/hooks/useApiForm";
import { toastSuccess } from "@/stores/toast";
import { organizationNameSchema, type OrganizationNameValues } from "./schemas";

/** The organization's name: owners rename it, admins read it. */
export function OrganizationNameCard({ organization }: { organization: Organization }) {
  const rename = useRenameOrganization();
  const owner = organization.role === "owner";
  const { form, formError, submit } = useApiForm<OrganizationNameValues>({
    schema: organizationNameSchema,
    fields: ["name"],
    defaultValues: { name: organization.name },
    onSubmit: async ({ name }) => {
      const renamed = await rename.mutateAsync({ orgId: organization.id, name });
      form.reset({ name: renamed.name });
      toastSuccess("Organization renamed.");
    },
  });
  const { errors, isSubmitting, isDirty } = form.formState;
  return (
    <Card
      title="Name"
      description={
        owner
          ? "How the organization appears to its members and in invitations."
          : "Only owners rename the organization."
      }
    >
      <form onSubmit={submit} noValidate className="max-w-md space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field
          label="Organization name"
          readOnly={!owner}
          error={errors.name?.message}
          {...form.register("name")}
        />
        {owner && (
          <Button type="submit" loading={isSubmitting} disabled={!isDirty}>
            Save name
          </Button>
        )}
      </form>
    </Card>
  );
}
