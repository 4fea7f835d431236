"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import type { Collection } from "@/hooks/collections/keys";
import type { DocumentRead } from "@/hooks/documents/keys";
import { useDeleteDocument, useDownloadDocument } from "@/hooks/documents/mutations";
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
  const download = useDownloadDocument();
  const deletion = useDeleteDocument();
  const back = `/collections/${document.collection_id}`;

  const remove = async () => {
    try {
      await deletion.mutateAsync(document);
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
        <div className="flex shrink-0 items-start gap-2">
          {document.original_kept === false ? (
            <div className="flex max-w-56 flex-col items-end gap-1">
              <Button variant="secondary" disabled aria-describedby="download-unavailable">
                Download
              </Button>
              <p
                id="download-unavailable"
                className="text-right text-xs text-slate-500 dark:text-slate-400"
              >
                The original file was not kept: this collection keeps only the redacted text.
              </p>
            </div>
          ) : (
            <Button
              variant="secondary"
              onClick={() => download.mutate(document)}
              loading={download.isPending}
            >
              Download
            </Button>
          )}
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
