import { act, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { renderHookWithQuery, testQueryClient } from "@/test/query";
import { FakeXhr } from "@/test/xhr";
import { documentKeys, type DocumentRead } from "./keys";
import { useUploadDocument } from "./mutations";
import { useDocument, useDocuments } from "./queries";

const doc = (status: DocumentRead["status"], id = "d1") =>
  ({ id, collection_id: "c1", title: "notes", status }) as DocumentRead;
const json = (body: unknown) =>
  new Response(JSON.stringify(body), {
    status: 200,
    headers: { "content-type": "application/json" },
  });
const page = (...items: DocumentRead[]) => json({ items, next_cursor: null });

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

describe("document queries", () => {
  beforeEach(() => useAuthStore.setState({ accessToken: "token", status: "authenticated" }));
  afterEach(() => vi.unstubAllGlobals());

  it("polls a collection's list while a document is processed and stops once it is indexed", async () => {
    const fetchMock = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(page(doc("uploaded")))
      .mockResolvedValueOnce(page(doc("processing")))
      .mockResolvedValue(page(doc("indexed")));
    vi.stubGlobal("fetch", fetchMock);

    const { result } = renderHookWithQuery(() => useDocuments("c1", { status: "", q: "" }, 10));
    await waitFor(() => expect(result.current.data?.[0]?.status).toBe("indexed"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fetchMock).toHaveBeenCalledTimes(3);
    const url = new URL((fetchMock.mock.calls[0]?.[0] as Request).url);
    expect(url.searchParams.get("collection_id")).toBe("c1");
    // Blank filters are no filters.
    expect(url.searchParams.has("status")).toBe(false);
    expect(url.searchParams.has("q")).toBe(false);
  });

  it("polls one document until it has failed", async () => {
    const fetchMock = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(json(doc("processing")))
      .mockResolvedValue(json(doc("failed")));
    vi.stubGlobal("fetch", fetchMock);
    const { result } = renderHookWithQuery(() => useDocument("d1", 10));
    await waitFor(() => expect(result.current.data?.status).toBe("failed"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(new URL((fetchMock.mock.calls[0]?.[0] as Request).url).pathname).toBe(
      "/api/documents/d1",
    );
  });

  it("keeps an uploaded document that an older list response does not include yet", async () => {
    FakeXhr.sent = [];
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const stale = deferred<Response>();
    const fresh = deferred<Response>();
    vi.stubGlobal(
      "fetch",
      vi
        .fn<typeof fetch>()
        .mockResolvedValueOnce(page(doc("indexed", "d0")))
        .mockReturnValueOnce(stale.promise)
        .mockReturnValueOnce(fresh.promise)
        .mockResolvedValue(page(doc("processing"), doc("indexed", "d0"))),
    );
    const client = testQueryClient();
    const { result } = renderHookWithQuery(
      () => ({ list: useDocuments("c1", {}, 20), upload: useUploadDocument() }),
      client,
    );
    await waitFor(() => expect(result.current.list.data).toHaveLength(1));

    // A refetch starts before the upload finishes; the upload then lands.
    void client.refetchQueries({ queryKey: documentKeys.lists() });
    const uploading = result.current.upload.mutateAsync({
      collection_id: "c1",
      file: new File(["x"], "notes.md"),
    });
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(1));
    await act(async () => {
      FakeXhr.sent[0]?.respond(201, doc("uploaded"));
      await uploading;
    });
    await act(async () => stale.resolve(page(doc("indexed", "d0"))));
    expect(result.current.list.data?.map((item) => item.id)).toEqual(["d1", "d0"]);

    // The server may not list it yet even when asked afterwards: it stays, and polls.
    await act(async () => fresh.resolve(page(doc("indexed", "d0"))));
    expect(result.current.list.data?.map((item) => item.id)).toEqual(["d1", "d0"]);
    await waitFor(() => expect(result.current.list.data?.[0]?.status).toBe("processing"));
    expect(client.getQueryData(documentKeys.uploads("c1"))).toEqual([]);
  });
});
