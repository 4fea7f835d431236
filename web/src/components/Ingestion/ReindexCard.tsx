"use client";

import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Select } from "@/components/ui/Select";
import { useCollections } from "@/hooks/collections/queries";
import { isBusy } from "@/hooks/ingestion/keys";
import { useReindexCollection } from "@/hooks/ingestion/mutations";
import { useIngestionOverview } from "@/hooks/ingestion/queries";
import { toastSuccess } from "@/stores/toast";

/** Re-index a whole collection and follow its progress (from its documents' statuses). */
export function ReindexCard() {
  const collections = useCollections();
  const [chosen, setChosen] = useState("");
  const collectionId = chosen || collections.data?.[0]?.id || null;
  const name = collections.data?.find((c) => c.id === collectionId)?.name ?? "";
  const progress = useIngestionOverview(collectionId);
  const reindex = useReindexCollection();
  const data = collectionId ? progress.data : undefined;
  const percent = data && data.total > 0 ? Math.round((100 * data.done) / data.total) : 0;

  return (
    <Card
      title="Re-index a collection"
      description="Indexes every document of the collection again, for example after a change of settings."
    >
      {collections.data?.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No collection yet.</p>
      ) : (
        <div className="space-y-4">
          <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
            <div className="sm:w-72">
              <Select
                label="Collection"
                value={collectionId ?? ""}
                onChange={(event) => setChosen(event.target.value)}
              >
                {(collections.data ?? []).map((collection) => (
                  <option key={collection.id} value={collection.id}>
                    {collection.name}
                  </option>
                ))}
              </Select>
            </div>
            <ConfirmDialog
              title={`Re-index ${name}?`}
              description="Every document of the collection is indexed again; searches keep working meanwhile."
              confirmLabel="Re-index"
              onConfirm={() =>
                reindex
                  .mutateAsync(collectionId!)
                  .then(({ queued }) =>
                    toastSuccess(`${queued === 1 ? "1 document" : `${queued} documents`} queued.`),
                  )
                  .catch(() => undefined /* the hook showed the error */)
              }
              trigger={(open) => (
                <Button variant="secondary" disabled={!collectionId} onClick={open}>
                  Re-index collection
                </Button>
              )}
            />
          </div>
          {data && (
            <div className="space-y-1.5">
              <div
                role="progressbar"
                aria-label={`Indexing of ${name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={percent}
                className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
              >
                <div
                  className="dark:bg-brand-400 h-full rounded-full bg-brand-600 transition-all"
                  style={{ width: `${percent}%` }}
                />
              </div>
              <p
                className="text-xs text-slate-600 dark:text-slate-400"
                data-testid="reindex-progress"
              >
                {data.done} of {data.total} done
                {isBusy(data)
                  ? ` · ${data.counts.uploaded} waiting, ${data.counts.processing} processing`
                  : ""}
                {data.counts.failed > 0 ? ` · ${data.counts.failed} failed` : ""}
              </p>
            </div>
          )}
        </div>
      )}
    </Card>
  );
}
