"use client";

import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { CollectionForm } from "./CollectionForm";
import type { CollectionValues } from "./schemas";

const EMPTY: CollectionValues = {
  name: "",
  description: "",
  visibility: "org",
  redact_pii: false,
  keep_original_files: true,
};

export function CreateCollectionDialog({
  onCreate,
  redactByDefault = false,
}: {
  onCreate: (values: CollectionValues) => Promise<unknown>;
  /** The organization's default for new collections (Settings → Organization). */
  redactByDefault?: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button onClick={() => setOpen(true)}>New collection</Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="New collection"
        description="Group documents that belong together."
      >
        <CollectionForm
          values={{ ...EMPTY, redact_pii: redactByDefault }}
          submitLabel="Create collection"
          autoFocus
          onSubmit={async (values) => {
            await onCreate(values);
            setOpen(false);
          }}
          onCancel={() => setOpen(false)}
        />
      </Dialog>
    </>
  );
}
