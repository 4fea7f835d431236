"use client";

import { CollectionList } from "@/components/Collections/CollectionList";
import { CreateCollectionDialog } from "@/components/Collections/CreateCollectionDialog";
import { SampleLoader } from "@/components/Collections/SampleLoader";
import { Alert } from "@/components/ui/Alert";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useCreateCollection } from "@/hooks/collections/mutations";
import { useCollections } from "@/hooks/collections/queries";
import { useDocumentSettings } from "@/hooks/orgSettings/queries";
import { errorText } from "@/lib/api/problem";

export default function CollectionsPage() {
  const { data: collections, error: failure } = useCollections();
  const error = errorText(failure);
  const create = useCreateCollection();
  const defaults = useDocumentSettings();
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Collections</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Documents are organized in collections.
          </p>
        </div>
        <CreateCollectionDialog
          onCreate={create.mutateAsync}
          redactByDefault={defaults.data?.redact_pii_default ?? false}
        />
      </div>
      {error && <Alert>{error}</Alert>}
      {collections === undefined ? (
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {[0, 1, 2].map((key) => (
            <Skeleton key={key} className="h-24" />
          ))}
        </div>
      ) : collections.length === 0 ? (
        <EmptyState title="No collections yet">
          Create one to start uploading documents.
          <SampleLoader />
        </EmptyState>
      ) : (
        <CollectionList collections={collections} />
      )}
    </div>
  );
}
