"use client";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import type { DocumentRead } from "@/hooks/documents/keys";
import { useUpdateDocument } from "@/hooks/documents/mutations";
import { useApiForm } from "@/hooks/useApiForm";
import { toastSuccess } from "@/stores/toast";
import { metadataSchema, parseTags, type MetadataValues } from "./metadataSchema";

export function MetadataForm({ document, canEdit }: { document: DocumentRead; canEdit: boolean }) {
  const update = useUpdateDocument(document.id);
  const { form, formError, submit } = useApiForm<MetadataValues>({
    schema: metadataSchema,
    fields: ["title", "tags"],
    defaultValues: { title: document.title, tags: document.tags.join(", ") },
    onSubmit: async (values) => {
      const saved = await update.mutateAsync({
        title: values.title,
        tags: parseTags(values.tags),
      });
      form.reset({ title: saved.title, tags: saved.tags.join(", ") });
      toastSuccess("Details saved.");
    },
  });
  const { register, formState } = form;
  const { errors, isSubmitting, isDirty } = formState;

  return (
    <Card title="Details">
      <form onSubmit={submit} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field
          label="Title"
          readOnly={!canEdit}
          error={errors.title?.message}
          {...register("title")}
        />
        <Field
          label="Tags"
          readOnly={!canEdit}
          hint="Separate tags with commas."
          error={errors.tags?.message}
          {...register("tags")}
        />
        {canEdit && (
          <Button type="submit" loading={isSubmitting} disabled={!isDirty}>
            Save details
          </Button>
        )}
      </form>
    </Card>
  );
}
