import { ApiError, messageOf } from "@/lib/api/problem";

export type UploadState = "uploading" | "done" | "error";

export interface UploadItem {
  key: string;
  name: string;
  size: number;
  progress: number;
  state: UploadState;
  error?: string;
}

/** What the user reads when an upload is refused, by status; the server's detail when it has one. */
export function uploadErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return messageOf(error);
  const known: Record<number, string> = {
    409: "This file is already in the collection.",
    413: "This file is too large.",
    415: "This file type is not supported.",
  };
  const lead = known[error.status];
  if (!lead) return error.message;
  // A duplicate needs no more words; size and type limits are in the server's detail.
  if (error.status === 409) return lead;
  return error.message && error.message !== error.title ? `${lead} ${error.message}` : lead;
}
