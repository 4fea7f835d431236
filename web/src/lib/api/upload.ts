// Uploads report their progress, which only XMLHttpRequest can: so they are sent here,
// beside `api`, and called by the hooks in src/hooks/documents/ alone.
import { useAuthStore } from "@/stores/auth";
import { refreshAccessToken } from "./session";
import type { components } from "./schema";
import { ApiError, toApiError } from "./problem";

export type DocumentRead = components["schemas"]["DocumentRead"];
// The multipart fields come from the generated schema, not from a hand-written type.
type UploadFields = components["schemas"]["Body_documents_upload_document"];
type VersionFields = components["schemas"]["Body_documents_add_version"];

export interface UploadOptions {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

function send(
  url: string,
  form: FormData,
  token: string | null,
  options: UploadOptions,
): Promise<XMLHttpRequest> {
  // XMLHttpRequest, not fetch: only it reports upload progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.responseType = "text";
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => resolve(xhr);
    xhr.onerror = () =>
      reject(new ApiError(0, "Upload failed", "The connection was interrupted. Please try again."));
    xhr.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
    options.signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(form);
  });
}

function parse(xhr: XMLHttpRequest): unknown {
  try {
    return JSON.parse(xhr.responseText) as unknown;
  } catch {
    return null;
  }
}

/** POST multipart with progress; refreshes the session once on 401. */
async function post(url: string, form: FormData, options: UploadOptions): Promise<DocumentRead> {
  let xhr = await send(url, form, useAuthStore.getState().accessToken, options);
  if (xhr.status === 401) {
    const token = await refreshAccessToken();
    if (token !== null) xhr = await send(url, form, token, options);
  }
  if (xhr.status >= 200 && xhr.status < 300) return parse(xhr) as DocumentRead;
  throw toApiError(xhr.status, parse(xhr));
}

/** POST /api/documents: a new document in a collection. */
export function uploadDocument(
  fields: Pick<UploadFields, "collection_id"> & { file: File; title?: string; tags?: string[] },
  options: UploadOptions = {},
): Promise<DocumentRead> {
  const form = new FormData();
  form.append("file", fields.file, fields.file.name);
  form.append("collection_id", fields.collection_id);
  if (fields.title) form.append("title", fields.title);
  for (const tag of fields.tags ?? []) form.append("tags", tag);
  return post("/api/documents", form, options);
}

/** POST /api/documents/{id}/versions: new content for a document, indexed again. */
export function uploadVersion(
  documentId: string,
  fields: Omit<VersionFields, "file"> & { file: File },
  options: UploadOptions = {},
): Promise<DocumentRead> {
  const form = new FormData();
  form.append("file", fields.file, fields.file.name);
  return post(`/api/documents/${encodeURIComponent(documentId)}/versions`, form, options);
}
