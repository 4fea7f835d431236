"use client";

import Link from "next/link";
import { use, useState } from "react";
import { CollectionMembers } from "@/components/Collections/CollectionMembers";
import { EditCollectionDialog } from "@/components/Collections/EditCollectionDialog";
import { DocumentFilters } from "@/components/Documents/DocumentFilters";
import { DocumentList } from "@/components/Documents/DocumentList";
import { UploadDropzone } from "@/components/Documents/UploadDropzone";
import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useCollection } from "@/hooks/collections/queries";
import { isFiltered, type DocumentFilters as Filters } from "@/hooks/documents/keys";
import { useDocuments } from "@/hooks/documents/queries";
import { errorText } from "@/lib/api/problem";

export default function CollectionPage({ params }: { params: Promise<{ collectionId: string }> }) {
  const { collectionId } = use(params);
  const [filters, setFilters] = useState<Filters>({});
  const { data: collection, error: collectionFailure } = useCollection(collectionId);
  const collectionError = errorText(collectionFailure);
  const { data: documents, error: failure } = useDocuments(collectionId, filters);
  const error = errorText(failure);
  const canEdit = collection !== undefined && collection.role !== "viewer";
  const filtered = isFiltered(filters);

  return (
    <div className="space-y-6">
      <div>
        <Link
          href="/collections"
          className="text-sm text-slate-600 hover:underline dark:text-slate-400"
        >
          ← Collections
        </Link>
        {collection ? (
          <div className="mt-1 flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
            <div className="min-w-0">
              <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold tracking-tight">
                {collection.name}
                {collection.visibility === "restricted" && <Badge tone="warning">Restricted</Badge>}
              </h1>
              {collection.description && (
                <p className="text-sm text-slate-600 dark:text-slate-400">
                  {collection.description}
                </p>
              )}
            </div>
            {collection.role === "manager" && (
              <div className="flex shrink-0 flex-wrap gap-2">
                {collection.visibility === "restricted" && (
                  <CollectionMembers collectionId={collectionId} />
                )}
                <EditCollectionDialog collection={collection} />
              </div>
            )}
          </div>
        ) : (
          !collectionError && <Skeleton className="mt-2 h-8 w-64" />
        )}
      </div>
      {collectionError && <Alert>{collectionError}</Alert>}
      {!collectionError && canEdit && <UploadDropzone collectionId={collectionId} />}
      {!collectionError && <DocumentFilters onChange={setFilters} />}
      {error && <Alert>{error}</Alert>}
      {collectionError ? null : documents === undefined ? (
        <div className="space-y-2" aria-busy="true" aria-label="Loading documents">
          {[0, 1, 2].map((key) => (
            <Skeleton key={key} className="h-14" />
          ))}
        </div>
      ) : documents.length === 0 ? (
        filtered ? (
          <EmptyState title="No documents match">Change or clear the filters.</EmptyState>
        ) : (
          <EmptyState title="No documents yet">
            {canEdit
              ? "Upload files above; they are indexed for search automatically."
              : "Nothing has been added to this collection yet."}
          </EmptyState>
        )
      ) : (
        <DocumentList documents={documents} canEdit={canEdit} />
      )}
    </div>
  );
}
