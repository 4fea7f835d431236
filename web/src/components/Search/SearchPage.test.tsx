import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { renderWithQuery } from "@/test/query";
import { SearchPage } from "./SearchPage";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: vi.fn(), push: vi.fn(), prefetch: vi.fn() }),
  usePathname: () => "/search",
  useSearchParams: () => new URLSearchParams("q=ledger&mode=fulltext"),
}));

const hit = (n: number) => ({
  document_id: `00000000-0000-4000-8000-00000000000${n}`,
  document_title: `Ledger ${n}`,
  collection_id: "00000000-0000-4000-8000-0000000000c0",
  version_id: `00000000-0000-4000-8000-0000000000a${n}`,
  chunk_id: `00000000-0000-4000-8000-0000000000b${n}`,
  page: null,
  snippet: `the <mark>ledger</mark> ${n}`,
  text: `the ledger ${n}`,
  score: 1,
});

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

/** A server with two pages of results, each answer naming its own search (or none). */
function stubServer(queryIds: [string | null, string | null]) {
  const clicks: Request[] = [];
  const fetchMock = vi.fn<typeof fetch>(async (input) => {
    const request = input as Request;
    const path = new URL(request.url).pathname;
    if (path === "/api/search/clicks") {
      clicks.push(request);
      return new Response(null, { status: 204 });
    }
    const { cursor } = (await request.clone().json()) as { cursor?: string | null };
    return cursor
      ? json({ items: [hit(2)], next_cursor: null, took_ms: 3, query_id: queryIds[1] })
      : json({ items: [hit(1)], next_cursor: "page-2", took_ms: 4, query_id: queryIds[0] });
  });
  vi.stubGlobal("fetch", fetchMock);
  return clicks;
}

/** Opens the result of the second page with the keyboard; the navigation is not under test. */
async function openSecondResult() {
  renderWithQuery(<SearchPage />);
  await userEvent.click(await screen.findByRole("button", { name: "Load more results" }));
  const link = await screen.findByRole("link", { name: "Ledger 2" });
  link.addEventListener("click", (event) => event.preventDefault());
  link.focus();
  await userEvent.keyboard("{Enter}");
}

describe("SearchPage result clicks", () => {
  beforeEach(() => useAuthStore.setState({ accessToken: "token", status: "authenticated" }));
  afterEach(() => vi.unstubAllGlobals());

  it("reports the opened result with its rank across pages and its answer's search", async () => {
    const clicks = stubServer([
      "11111111-1111-4111-8111-111111111111",
      "22222222-2222-4222-8222-222222222222",
    ]);
    await openSecondResult();
    await waitFor(() => expect(clicks).toHaveLength(1));
    const click = clicks[0]!;
    expect(click.method).toBe("POST");
    expect(click.headers.get("Authorization")).toBe("Bearer token");
    expect(click.keepalive).toBe(true);
    expect(await click.json()).toEqual({
      query_id: "22222222-2222-4222-8222-222222222222",
      document_id: hit(2).document_id,
      chunk_id: hit(2).chunk_id,
      rank: 2,
    });
  });

  it("reports nothing when the answer named no search", async () => {
    const clicks = stubServer(["11111111-1111-4111-8111-111111111111", null]);
    await openSecondResult();
    const first = screen.getByRole("link", { name: "Ledger 1" });
    first.addEventListener("click", (event) => event.preventDefault());
    await userEvent.click(first);
    await waitFor(() => expect(clicks).toHaveLength(1));
    expect(await clicks[0]!.json()).toMatchObject({ rank: 1 });
  });
});
