"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Dialog } from "@/components/ui/Dialog";
import { Field } from "@/components/ui/Field";
import type { Collection } from "@/hooks/useCollections";
import { applyServerErrors } from "@/hooks/useServerErrors";
import { api, unwrap } from "@/lib/api/client";
import { toastError, toastSuccess } from "@/stores/toast";
import { collectionSchema, type CollectionValues } from "./schemas";

/** Rename, describe, change who sees it, or delete a collection (its managers only). */
export function EditCollectionDialog({
  collection,
  onSaved,
}: {
  collection: Collection;
  onSaved: (collection: Collection) => void;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<CollectionValues>({
    resolver: zodResolver(collectionSchema),
    values: {
      name: collection.name,
      description: collection.description,
      visibility: collection.visibility,
    },
  });
  const { errors, isSubmitting } = formState;

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      const saved = await unwrap(
        api.PATCH("/api/collections/{collection_id}", {
          params: { path: { collection_id: collection.id } },
          body: values,
        }),
      );
      onSaved(saved);
      toastSuccess("Collection saved.");
      setOpen(false);
    } catch (error) {
      setFormError(applyServerErrors(error, ["name", "description", "visibility"], setError));
    }
  });

  const remove = async () => {
    try {
      await unwrap(
        api.DELETE("/api/collections/{collection_id}", {
          params: { path: { collection_id: collection.id } },
        }),
      );
      toastSuccess(`“${collection.name}” was deleted.`);
      router.replace("/collections");
    } catch (error) {
      toastError(error);
    }
  };

  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Edit collection
      </Button>
      <Dialog open={open} onOpenChange={setOpen} title="Edit collection">
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          {formError && <Alert>{formError}</Alert>}
          <Field label="Name" error={errors.name?.message} {...register("name")} />
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
          <div className="flex flex-wrap items-center justify-between gap-2 pt-2">
            <ConfirmDialog
              title={`Delete “${collection.name}”?`}
              description="Every document in it is deleted too, and disappears from search and answers. This cannot be undone."
              confirmLabel="Delete collection"
              onConfirm={remove}
              trigger={(openConfirm) => (
                <Button
                  type="button"
                  variant="ghost"
                  className="text-red-600 dark:text-red-400"
                  onClick={openConfirm}
                >
                  Delete collection
                </Button>
              )}
            />
            <div className="flex gap-2">
              <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={isSubmitting}>
                Save
              </Button>
            </div>
          </div>
        </form>
      </Dialog>
    </>
  );
}
