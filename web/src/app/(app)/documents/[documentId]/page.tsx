"use client";

import { Suspense, use } from "react";
import { DocumentHeader } from "@/components/Documents/DocumentHeader";
import { MetadataForm } from "@/components/Documents/MetadataForm";
import { ProcessingPanel } from "@/components/Documents/ProcessingPanel";
import { VersionList } from "@/components/Documents/VersionList";
import { Alert } from "@/components/ui/Alert";
import { DocumentViewer } from "@/components/Viewer/DocumentViewer";
import { Skeleton } from "@/components/ui/Skeleton";
import { useCollection } from "@/hooks/collections/queries";
import { useDocument } from "@/hooks/documents/queries";
import { errorText } from "@/lib/api/problem";

function DocumentSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading the document" className="space-y-4">
      <Skeleton className="h-8 w-72" />
      <Skeleton className="h-4 w-96 max-w-full" />
      <div className="grid gap-6 lg:grid-cols-2">
        <Skeleton className="h-56" />
        <Skeleton className="h-56" />
      </div>
    </div>
  );
}

export default function DocumentPage({ params }: { params: Promise<{ documentId: string }> }) {
  const { documentId } = use(params);
  const { data: document, error: failure } = useDocument(documentId);
  const error = errorText(failure);
  const collection = useCollection(document?.collection_id ?? null).data ?? null;

  if (error && !document) return <Alert>{error}</Alert>;
  if (!document) return <DocumentSkeleton />;
  // Viewers read; editors and managers of the collection change it (the server decides too).
  const canEdit = collection !== null && collection.role !== "viewer";

  return (
    <div className="space-y-6">
      <DocumentHeader document={document} collection={collection} canEdit={canEdit} />
      <Suspense>
        <DocumentViewer document={document} />
      </Suspense>
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-6">
          <MetadataForm key={document.id} document={document} canEdit={canEdit} />
          <VersionList document={document} canEdit={canEdit} />
        </div>
        <ProcessingPanel document={document} canEdit={canEdit} />
      </div>
    </div>
  );
}
