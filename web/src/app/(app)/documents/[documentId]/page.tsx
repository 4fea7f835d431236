"use client";

import { use } from "react";
import { DocumentHeader } from "@/components/Documents/DocumentHeader";
import { MetadataForm } from "@/components/Documents/MetadataForm";
import { ProcessingPanel } from "@/components/Documents/ProcessingPanel";
import { VersionList } from "@/components/Documents/VersionList";
import { Alert } from "@/components/ui/Alert";
import { Skeleton } from "@/components/ui/Skeleton";
import { useCollection } from "@/hooks/useCollections";
import { useDocument } from "@/hooks/useDocument";

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
  const { document, error, setDocument } = useDocument(documentId);
  const { collection } = useCollection(document?.collection_id ?? null);

  if (error && !document) return <Alert>{error}</Alert>;
  if (!document) return <DocumentSkeleton />;
  // Viewers read; editors and managers of the collection change it (the server decides too).
  const canEdit = collection !== null && collection.role !== "viewer";

  return (
    <div className="space-y-6">
      <DocumentHeader document={document} collection={collection} canEdit={canEdit} />
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-6">
          <MetadataForm
            key={document.id}
            document={document}
            canEdit={canEdit}
            onSaved={setDocument}
          />
          <VersionList document={document} canEdit={canEdit} onNewVersion={setDocument} />
        </div>
        <ProcessingPanel document={document} canEdit={canEdit} onChange={setDocument} />
      </div>
    </div>
  );
}
