"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import type { Collection } from "@/hooks/useCollections";
import type { DocumentRead } from "@/hooks/useDocuments";
import { api, unwrap } from "@/lib/api/client";
import { downloadDocument } from "@/lib/download";
import { formatBytes, formatDate } from "@/lib/format";
import { toastError, toastSuccess } from "@/stores/toast";

export function DocumentHeader({
  document,
  collection,
  canEdit,
}: {
  document: DocumentRead;
  collection: Collection | null;
  canEdit: boolean;
}) {
  const router = useRouter();
  const [downloading, setDownloading] = useState(false);
  const back = `/collections/${document.collection_id}`;

  const download = async () => {
    setDownloading(true);
    try {
      await downloadDocument(document.id, document.filename);
    } catch (error) {
      toastError(error);
    } finally {
      setDownloading(false);
    }
  };

  const remove = async () => {
    try {
      await unwrap(
        api.DELETE("/api/documents/{document_id}", {
          params: { path: { document_id: document.id } },
        }),
      );
      toastSuccess(`“${document.title}” was deleted.`);
      router.replace(back);
    } catch (error) {
      toastError(error);
    }
  };

  return (
    <div className="space-y-3">
      <Link href={back} className="text-sm text-slate-600 hover:underline dark:text-slate-400">
        ← {collection?.name ?? "Collection"}
      </Link>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0">
          <h1 className="break-words text-2xl font-semibold tracking-tight">{document.title}</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {document.filename} · {formatBytes(document.size)} · version {document.version} ·
            uploaded {formatDate(document.created_at)}
          </p>
        </div>
        <div className="flex shrink-0 gap-2">
          <Button variant="secondary" onClick={download} loading={downloading}>
            Download
          </Button>
          {canEdit && (
            <ConfirmDialog
              title={`Delete “${document.title}”?`}
              description="The document, all its versions and its passages are removed from search and answers. This cannot be undone."
              confirmLabel="Delete document"
              onConfirm={remove}
              trigger={(open) => (
                <Button variant="danger" onClick={open}>
                  Delete
                </Button>
              )}
            />
          )}
        </div>
      </div>
    </div>
  );
}
