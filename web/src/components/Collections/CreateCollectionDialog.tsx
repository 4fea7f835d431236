"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field } from "@/components/ui/Field";
import { applyServerErrors } from "@/hooks/useServerErrors";
import { collectionSchema, type CollectionValues } from "./schemas";

export function CreateCollectionDialog({
  onCreate,
}: {
  onCreate: (values: CollectionValues) => Promise<unknown>;
}) {
  const [open, setOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, reset, formState } = useForm<CollectionValues>({
    resolver: zodResolver(collectionSchema),
    defaultValues: { name: "", description: "", visibility: "org" },
  });
  const { errors, isSubmitting } = formState;

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await onCreate(values);
      reset();
      setOpen(false);
    } catch (error) {
      setFormError(applyServerErrors(error, ["name", "description", "visibility"], setError));
    }
  });

  return (
    <>
      <Button onClick={() => setOpen(true)}>New collection</Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="New collection"
        description="Group documents that belong together."
      >
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          {formError && <Alert>{formError}</Alert>}
          <Field label="Name" autoFocus error={errors.name?.message} {...register("name")} />
          <Field
            label="Description (optional)"
            error={errors.description?.message}
            {...register("description")}
          />
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">
              Who can see it
            </legend>
            <label className="flex items-start gap-2 text-sm">
              <input
                type="radio"
                value="org"
                className="mt-1 accent-brand-600"
                {...register("visibility")}
              />
              <span>Everyone in the organization</span>
            </label>
            <label className="flex items-start gap-2 text-sm">
              <input
                type="radio"
                value="restricted"
                className="mt-1 accent-brand-600"
                {...register("visibility")}
              />
              <span>Only people I add</span>
            </label>
          </fieldset>
          <div className="flex justify-end gap-2 pt-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" loading={isSubmitting}>
              Create collection
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
