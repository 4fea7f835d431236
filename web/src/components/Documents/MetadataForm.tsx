"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import type { DocumentRead } from "@/hooks/useDocuments";
import { applyServerErrors } from "@/hooks/useServerErrors";
import { api, unwrap } from "@/lib/api/client";
import { toastSuccess } from "@/stores/toast";
import { metadataSchema, parseTags, type MetadataValues } from "./metadataSchema";

export function MetadataForm({
  document,
  canEdit,
  onSaved,
}: {
  document: DocumentRead;
  canEdit: boolean;
  onSaved: (document: DocumentRead) => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, reset, formState } = useForm<MetadataValues>({
    resolver: zodResolver(metadataSchema),
    defaultValues: { title: document.title, tags: document.tags.join(", ") },
  });
  const { errors, isSubmitting, isDirty } = formState;

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      const saved = await unwrap(
        api.PATCH("/api/documents/{document_id}", {
          params: { path: { document_id: document.id } },
          body: { title: values.title, tags: parseTags(values.tags) },
        }),
      );
      reset({ title: saved.title, tags: saved.tags.join(", ") });
      onSaved(saved);
      toastSuccess("Details saved.");
    } catch (error) {
      setFormError(applyServerErrors(error, ["title", "tags"], setError));
    }
  });

  return (
    <Card title="Details">
      <form onSubmit={onSubmit} noValidate className="space-y-4">
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
