"use client";

import { useCallback, useRef, useState, type DragEvent } from "react";
import { useUploadDocument } from "@/hooks/documents/mutations";
import { cn } from "@/lib/cn";
import { formatBytes } from "@/lib/format";
import { uploadErrorMessage, type UploadItem } from "./uploadQueue";

// What the documents service indexes (UnsupportedFileType.accepted); it sniffs the content.
export const ACCEPTED = ".pdf,.docx,.txt,.md,.markdown,.html,.htm";

export interface UploadDropzoneProps {
  collectionId: string;
}

/** Uploads files into a collection; each finished one goes to the top of its list. */
export function UploadDropzone({ collectionId }: UploadDropzoneProps) {
  const { mutateAsync: upload } = useUploadDocument();
  const [items, setItems] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const update = (key: string, patch: Partial<UploadItem>) =>
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...patch } : item)));

  const start = useCallback(
    (files: File[]) => {
      const batch = files.map((file, index) => ({
        file,
        item: {
          key: `${Date.now()}-${index}-${file.name}`,
          name: file.name,
          size: file.size,
          progress: 0,
          state: "uploading" as const,
        },
      }));
      setItems((current) => [...batch.map(({ item }) => item), ...current]);
      for (const { file, item } of batch) {
        upload({
          collection_id: collectionId,
          file,
          onProgress: (progress) => update(item.key, { progress }),
        })
          .then(() => update(item.key, { state: "done", progress: 1 }))
          .catch((error: unknown) =>
            update(item.key, { state: "error", error: uploadErrorMessage(error) }),
          );
      }
    },
    [collectionId, upload],
  );

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const files = Array.from(event.dataTransfer.files);
    if (files.length) start(files);
  };

  return (
    <section aria-label="Upload documents" className="space-y-3">
      <div
        data-testid="dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={cn(
          "flex flex-col items-center justify-center gap-2 rounded-xl border-2 border-dashed px-6 py-8 text-center transition-colors",
          dragging
            ? "border-brand-500 bg-brand-50 dark:bg-brand-700/20"
            : "border-slate-300 bg-white dark:border-slate-700 dark:bg-slate-900",
        )}
      >
        <svg
          aria-hidden
          viewBox="0 0 24 24"
          className="h-8 w-8 text-slate-400"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
        >
          <path d="M12 16V4m0 0-4 4m4-4 4 4M4 16v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-2" />
        </svg>
        <p className="text-sm text-slate-700 dark:text-slate-300">
          Drag files here, or{" "}
          <button
            type="button"
            onClick={() => input.current?.click()}
            className="font-medium text-brand-600 underline-offset-4 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:text-brand-100"
          >
            choose files
          </button>
        </p>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          PDF, Word, Markdown, text or HTML, up to 100 MB each
        </p>
        <input
          ref={input}
          type="file"
          multiple
          accept={ACCEPTED}
          aria-label="Choose files to upload"
          className="sr-only"
          tabIndex={-1}
          onChange={(event) => {
            const files = Array.from(event.target.files ?? []);
            event.target.value = "";
            if (files.length) start(files);
          }}
        />
      </div>
      {items.length > 0 && (
        <ul aria-label="Uploads" className="space-y-2">
          {items.map((item) => (
            <li
              key={item.key}
              data-testid="upload-item"
              data-state={item.state}
              className="rounded-lg border border-slate-200 bg-white px-3 py-2 text-sm dark:border-slate-800 dark:bg-slate-900"
            >
              <div className="flex items-center justify-between gap-2">
                <span className="truncate font-medium">{item.name}</span>
                <span className="shrink-0 text-xs text-slate-500 dark:text-slate-400">
                  {item.state === "done"
                    ? "Uploaded"
                    : item.state === "error"
                      ? "Not uploaded"
                      : `${Math.round(item.progress * 100)}%`}{" "}
                  · {formatBytes(item.size)}
                </span>
              </div>
              {item.state === "error" ? (
                <p role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400">
                  {item.error}
                </p>
              ) : (
                <div
                  role="progressbar"
                  aria-label={`Uploading ${item.name}`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={Math.round(item.progress * 100)}
                  className="mt-2 h-1.5 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
                >
                  <div
                    className={cn(
                      "h-full rounded-full transition-all",
                      item.state === "done" ? "bg-emerald-500" : "bg-brand-500",
                    )}
                    style={{ width: `${Math.round(item.progress * 100)}%` }}
                  />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
