"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field } from "@/components/ui/Field";
import { applyServerErrors } from "@/hooks/useServerErrors";
import { api, unwrap } from "@/lib/api/client";
import { toastSuccess } from "@/stores/toast";
import { searchFilters, type SearchState } from "./searchParams";

// Mirrors SavedSearchCreate.
const saveSchema = z.object({
  name: z.string().trim().min(1, "Name the search.").max(200, "Use at most 200 characters."),
  notify: z.boolean(),
});
type SaveValues = z.infer<typeof saveSchema>;

export function SaveSearchDialog({ state }: { state: SearchState }) {
  const [open, setOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, reset, formState } = useForm<SaveValues>({
    resolver: zodResolver(saveSchema),
    values: { name: state.q.trim().slice(0, 200), notify: true },
  });
  const { errors, isSubmitting } = formState;

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await unwrap(
        api.POST("/api/saved-searches", {
          body: { ...values, query: state.q.trim(), filters: searchFilters(state) },
        }),
      );
      toastSuccess(
        values.notify
          ? "Search saved. We will tell you when new documents match."
          : "Search saved.",
      );
      reset();
      setOpen(false);
    } catch (error) {
      setFormError(applyServerErrors(error, ["name"], setError));
    }
  });

  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)} disabled={!state.q.trim()}>
        Save search
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Save this search"
        description="Run it again later, and hear about new documents that match."
      >
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          {formError && <Alert>{formError}</Alert>}
          <Field label="Name" autoFocus error={errors.name?.message} {...register("name")} />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" className="accent-brand-600" {...register("notify")} />
            Notify me when new documents match
          </label>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" loading={isSubmitting}>
              Save
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
