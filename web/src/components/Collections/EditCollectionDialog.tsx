"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Dialog } from "@/components/ui/Dialog";
import type { Collection } from "@/hooks/collections/keys";
import { useDeleteCollection, useUpdateCollection } from "@/hooks/collections/mutations";
import { toastError, toastSuccess } from "@/stores/toast";
import { CollectionForm } from "./CollectionForm";
import type { CollectionValues } from "./schemas";

/** Rename, describe, change who sees it, or delete a collection (its managers only). */
export function EditCollectionDialog({ collection }: { collection: Collection }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const update = useUpdateCollection(collection.id);
  const deletion = useDeleteCollection(collection.id);

  const save = async (values: CollectionValues) => {
    await update.mutateAsync(values);
    toastSuccess("Collection saved.");
    setOpen(false);
  };

  const remove = async () => {
    try {
      await deletion.mutateAsync();
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
        <CollectionForm
          values={{
            name: collection.name,
            description: collection.description,
            visibility: collection.visibility,
            redact_pii: collection.redact_pii,
            keep_original_files: collection.keep_original_files,
          }}
          submitLabel="Save"
          onSubmit={save}
          onCancel={() => setOpen(false)}
          extraAction={
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
          }
        />
      </Dialog>
    </>
  );
}
