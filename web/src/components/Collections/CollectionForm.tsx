"use client";

import { useEffect, type ReactNode } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { useApiForm } from "@/hooks/useApiForm";
import { collectionSchema, type CollectionValues } from "./schemas";

const VISIBILITIES: { value: CollectionValues["visibility"]; label: string }[] = [
  { value: "org", label: "Everyone in the organization" },
  { value: "restricted", label: "Only people I add" },
];

/**
 * Name, description, visibility, PII redaction and whether original files are kept: the body
 * of the create and edit dialogs. Dropping the originals is possible only with redaction on.
 */
export function CollectionForm({
  values,
  submitLabel,
  onSubmit,
  onCancel,
  autoFocus = false,
  extraAction,
}: {
  values: CollectionValues;
  submitLabel: string;
  /** Resolves once saved; a rejection is shown on the form (field errors beside the fields). */
  onSubmit: (values: CollectionValues) => Promise<unknown>;
  onCancel: () => void;
  autoFocus?: boolean;
  /** Shown at the start of the button row (the edit dialog's "Delete collection"). */
  extraAction?: ReactNode;
}) {
  const { form, formError, submit } = useApiForm<CollectionValues>({
    schema: collectionSchema,
    fields: ["name", "description", "visibility", "redact_pii", "keep_original_files"],
    values,
    onSubmit,
  });
  const { register, formState, watch, setValue } = form;
  const { errors, isSubmitting } = formState;
  const redacting = watch("redact_pii");
  useEffect(() => {
    // Without redaction the originals are the only copy: they are always kept.
    if (!redacting) setValue("keep_original_files", true);
  }, [redacting, setValue]);

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      {formError && <Alert>{formError}</Alert>}
      <Field
        label="Name"
        autoFocus={autoFocus}
        error={errors.name?.message}
        {...register("name")}
      />
      <Field
        label="Description (optional)"
        error={errors.description?.message}
        {...register("description")}
      />
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">
          Who can see it
        </legend>
        {VISIBILITIES.map((visibility) => (
          <label key={visibility.value} className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              value={visibility.value}
              className="mt-1 accent-brand-600"
              {...register("visibility")}
            />
            <span>{visibility.label}</span>
          </label>
        ))}
      </fieldset>
      <div className="space-y-1">
        <label className="flex items-center gap-2 text-sm font-medium">
          <input
            type="checkbox"
            className="h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-2 focus:ring-brand-500"
            {...register("redact_pii")}
          />
          Hide personal data from search
        </label>
        <p className="pl-6 text-xs text-slate-500 dark:text-slate-400">
          E-mail addresses, phone numbers, IBANs, card numbers and IP addresses are replaced in the
          search index and snippets. Changing this re-indexes the collection.
        </p>
      </div>
      <div className="space-y-1">
        <label
          className={
            redacting
              ? "flex items-center gap-2 text-sm font-medium"
              : "flex items-center gap-2 text-sm font-medium text-slate-400 dark:text-slate-500"
          }
        >
          <input
            type="checkbox"
            disabled={!redacting}
            aria-describedby="keep-original-files-help"
            className="h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-2 focus:ring-brand-500"
            {...register("keep_original_files")}
          />
          Keep the original files
        </label>
        <p
          id="keep-original-files-help"
          className="pl-6 text-xs text-slate-500 dark:text-slate-400"
        >
          {redacting
            ? "When off, each file is deleted once its redacted text is indexed: only the redacted text can be read, and the document can no longer be downloaded or re-indexed."
            : "Files are kept as uploaded. Turn on “Hide personal data from search” to keep only the redacted text."}
        </p>
      </div>
      <div
        className={
          extraAction
            ? "flex flex-wrap items-center justify-between gap-2 pt-2"
            : "flex justify-end gap-2 pt-2"
        }
      >
        {extraAction}
        <div className="flex gap-2">
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            {submitLabel}
          </Button>
        </div>
      </div>
    </form>
  );
}
