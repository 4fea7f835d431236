"use client";

import { useRef, useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Skeleton } from "@/components/ui/Skeleton";
import type { DocumentRead } from "@/hooks/documents/keys";
import { useUploadVersion } from "@/hooks/documents/mutations";
import { useDocumentVersions } from "@/hooks/documents/queries";
import { errorText } from "@/lib/api/problem";
import { formatBytes, formatDate } from "@/lib/format";
import { toastSuccess } from "@/stores/toast";
import { ACCEPTED } from "./UploadDropzone";
import { uploadErrorMessage } from "./uploadQueue";

export function VersionList({ document, canEdit }: { document: DocumentRead; canEdit: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const versions = useDocumentVersions(document);
  const uploadVersion = useUploadVersion(document.id);
  const { data } = versions;
  const error = errorText(versions.error);

  const upload = async (file: File) => {
    setUploadError(null);
    setProgress(0);
    try {
      const updated = await uploadVersion.mutateAsync({ file, onProgress: setProgress });
      toastSuccess(`Version ${updated.version} uploaded; it is being indexed.`);
    } catch (failure) {
      setUploadError(uploadErrorMessage(failure));
    } finally {
      setProgress(null);
    }
  };

  return (
    <Card
      title="Versions"
      description="Uploading a new version replaces what search and answers use."
      actions={
        canEdit && (
          <>
            <Button
              variant="secondary"
              loading={progress !== null}
              onClick={() => input.current?.click()}
            >
              {progress !== null
                ? `Uploading ${Math.round(progress * 100)}%`
                : "Upload new version"}
            </Button>
            <input
              ref={input}
              type="file"
              accept={ACCEPTED}
              aria-label="Choose a new version"
              className="sr-only"
              tabIndex={-1}
              onChange={(event) => {
                const file = event.target.files?.[0];
                event.target.value = "";
                if (file) void upload(file);
              }}
            />
          </>
        )
      }
    >
      {uploadError && <Alert>{uploadError}</Alert>}
      {error && <Alert>{error}</Alert>}
      {data === undefined && !error ? (
        <Skeleton className="h-12" />
      ) : (
        <ol aria-label="Versions" className="divide-y divide-slate-200 dark:divide-slate-800">
          {(data ?? []).map((version) => (
            <li key={version.id} data-testid="version-row" className="py-2 text-sm">
              <p className="flex flex-wrap items-center gap-2 font-medium">
                Version {version.number}
                {version.current && <Badge tone="info">Current</Badge>}
              </p>
              <p className="truncate text-xs text-slate-500 dark:text-slate-400">
                {version.filename} · {formatBytes(version.size)} · {formatDate(version.created_at)}
              </p>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
