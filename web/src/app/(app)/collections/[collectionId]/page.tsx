"use client";

import Link from "next/link";
import { use } from "react";
import { DocumentList } from "@/components/Documents/DocumentList";
import { UploadDropzone } from "@/components/Documents/UploadDropzone";
import { Alert } from "@/components/ui/Alert";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useCollection } from "@/hooks/useCollections";
import { useDocuments } from "@/hooks/useDocuments";

export default function CollectionPage({ params }: { params: Promise<{ collectionId: string }> }) {
  const { collectionId } = use(params);
  const { collection, error: collectionError } = useCollection(collectionId);
  const { documents, error, add } = useDocuments(collectionId);

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
          <>
            <h1 className="mt-1 text-2xl font-semibold tracking-tight">{collection.name}</h1>
            {collection.description && (
              <p className="text-sm text-slate-600 dark:text-slate-400">{collection.description}</p>
            )}
          </>
        ) : (
          !collectionError && <Skeleton className="mt-2 h-8 w-64" />
        )}
      </div>
      {collectionError && <Alert>{collectionError}</Alert>}
      {!collectionError && <UploadDropzone collectionId={collectionId} onUploaded={add} />}
      {error && <Alert>{error}</Alert>}
      {documents === null ? (
        <div className="space-y-2">
          {[0, 1, 2].map((key) => (
            <Skeleton key={key} className="h-14" />
          ))}
        </div>
      ) : documents.length === 0 ? (
        <EmptyState title="No documents yet">
          Upload files above; they are indexed for search automatically.
        </EmptyState>
      ) : (
        <DocumentList documents={documents} />
      )}
    </div>
  );
}
