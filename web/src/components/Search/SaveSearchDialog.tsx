"use client";

import { useState } from "react";
import { z } from "zod";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field } from "@/components/ui/Field";
import { useApiForm } from "@/hooks/useApiForm";
import { useSaveSearch } from "@/hooks/search/mutations";
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
  const save = useSaveSearch();
  const { form, formError, submit } = useApiForm<SaveValues>({
    schema: saveSchema,
    fields: ["name"],
    values: { name: state.q.trim().slice(0, 200), notify: true },
    onSubmit: async (values) => {
      await save.mutateAsync({ ...values, query: state.q.trim(), filters: searchFilters(state) });
      toastSuccess(
        values.notify
          ? "Search saved. We will tell you when new documents match."
          : "Search saved.",
      );
      form.reset();
      setOpen(false);
    },
  });
  const { register, formState } = form;
  const { errors, isSubmitting } = formState;

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
        <form onSubmit={submit} noValidate className="space-y-4">
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
