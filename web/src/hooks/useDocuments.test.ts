import { renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { useDocuments, type DocumentRead } from "./useDocuments";

const doc = (status: DocumentRead["status"]) =>
  ({ id: "d1", title: "notes", status }) as DocumentRead;
const page = (...items: DocumentRead[]) =>
  new Response(JSON.stringify({ items, next_cursor: null }), {
    status: 200,
    headers: { "content-type": "application/json" },
  });

describe("useDocuments", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("polls while a document is processed and stops once it is indexed", async () => {
    useAuthStore.setState({ accessToken: "token", status: "authenticated" });
    const fetchMock = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(page(doc("uploaded")))
      .mockResolvedValueOnce(page(doc("processing")))
      .mockResolvedValue(page(doc("indexed")));
    vi.stubGlobal("fetch", fetchMock);

    const { result } = renderHook(() => useDocuments("c1", 10));
    await waitFor(() => expect(result.current.documents?.[0]?.status).toBe("indexed"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fetchMock).toHaveBeenCalledTimes(3);
    const url = new URL((fetchMock.mock.calls[0]?.[0] as Request).url);
    expect(url.searchParams.get("collection_id")).toBe("c1");
  });

  it("keeps an uploaded document that an older list response does not include yet", async () => {
    useAuthStore.setState({ accessToken: "token", status: "authenticated" });
    let answer: (response: Response) => void = () => undefined;
    vi.stubGlobal(
      "fetch",
      vi.fn<typeof fetch>(() => new Promise((resolve) => (answer = resolve))),
    );
    const { result } = renderHook(() => useDocuments("c1", 10_000));
    result.current.add(doc("uploaded"));
    answer(page());
    await waitFor(() => expect(result.current.documents).toEqual([doc("uploaded")]));
  });
});
