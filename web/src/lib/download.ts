import { api } from "@/lib/api/client";
import { errorFromResponse } from "@/lib/api/problem";

/**
 * Save a document's original file. The call needs the bearer token, so a plain link
 * cannot do it: fetch it, then hand the browser a blob URL.
 */
export async function downloadDocument(documentId: string, filename: string): Promise<void> {
  const { data, response } = await api.GET("/api/documents/{document_id}/content", {
    params: { path: { document_id: documentId } },
    parseAs: "blob",
  });
  if (!response.ok || !(data instanceof Blob)) throw await errorFromResponse(response);
  const url = URL.createObjectURL(data);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
