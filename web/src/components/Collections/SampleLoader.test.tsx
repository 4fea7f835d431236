import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { useToastStore } from "@/stores/toast";
import { renderWithQuery as render } from "@/test/query";
import { FakeXhr } from "@/test/xhr";
import { SampleLoader } from "./SampleLoader";

const router = { push: vi.fn() };
vi.mock("next/navigation", () => ({ useRouter: () => router }));

const manifest = {
  version: 1,
  collection: { name: "Tidepool handbook (sample)", description: "A fictional handbook." },
  documents: [
    { file: "welcome.md", title: "Welcome", tags: ["sample", "company"] },
    { file: "expenses.html", title: "Expenses", tags: ["sample", "finance"] },
    { file: "travel-policy.pdf", title: "Travel policy", tags: ["sample"] },
    { file: "sales-playbook.docx", title: "Sales playbook", tags: ["sample"] },
  ],
  questions: [{ question: "Who approves expenses?", answer_in: "expenses.html" }],
};
const collection = { id: "c1", name: manifest.collection.name, visibility: "org" };
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

describe("SampleLoader", () => {
  const fetchMock = vi.fn<typeof fetch>();
  const requests: string[] = [];
  let existing: object[] = [];
  let manifestStatus = 200;

  beforeEach(() => {
    FakeXhr.sent = [];
    existing = [];
    manifestStatus = 200;
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    vi.stubGlobal("fetch", fetchMock);
    useAuthStore.setState({ accessToken: "token", status: "authenticated", user: null });
    useToastStore.setState({ toasts: [] });
    fetchMock.mockImplementation(async (input) => {
      const request = input as Request;
      const route = `${request.method} ${new URL(request.url).pathname}`;
      requests.push(route);
      if (route === "GET /samples/manifest.json") return json(manifestStatus, manifest);
      if (route.startsWith("GET /samples/"))
        return new Response(`content of ${route}`, { headers: { "content-type": "text/plain" } });
      if (route === "GET /api/collections")
        return json(200, { items: existing, next_cursor: null });
      if (route === "POST /api/collections") return json(201, collection);
      return json(404, { title: "Not found", status: 404, detail: route });
    });
  });

  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
    router.push.mockReset();
    requests.length = 0;
  });

  it("creates the collection, uploads each file with progress, then opens the collection", async () => {
    render(<SampleLoader />);
    await userEvent.click(await screen.findByRole("button", { name: "Try with sample documents" }));

    // Three uploads at a time, each a file the web app served, with its title and tags.
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(3));
    expect(requests).toContain("POST /api/collections");
    const [first, second, third] = FakeXhr.sent;
    const form = first?.body as FormData;
    expect(`${first?.method} ${first?.url}`).toBe("POST /api/documents");
    expect(first?.headers.Authorization).toBe("Bearer token");
    expect(form.get("collection_id")).toBe("c1");
    expect(form.get("title")).toBe("Welcome");
    expect(form.getAll("tags")).toEqual(["sample", "company"]);
    const file = form.get("file") as File;
    expect(file.name).toBe("welcome.md");
    expect(await file.text()).toBe("content of GET /samples/welcome.md");

    act(() => first?.progress(50, 100));
    const bar = screen.getByRole("progressbar", { name: "Loading sample documents" });
    expect(bar).toHaveAttribute("aria-valuenow", "13"); // half of one file in four
    await act(async () => first?.respond(201, { id: "d1" }));
    expect(screen.getByText("1 of 4 documents uploaded")).toBeInTheDocument();
    // Already there (an earlier, interrupted load): skipped, not a failure.
    await act(async () => second?.respond(409, { title: "Duplicate", status: 409 }));
    await act(async () => third?.respond(201, { id: "d3" }));
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(4));
    await act(async () =>
      FakeXhr.sent[3]?.respond(415, { title: "Unsupported", status: 415, detail: "No DOCX." }),
    );

    await waitFor(() => expect(router.push).toHaveBeenCalledWith("/collections/c1"));
    expect(useToastStore.getState().toasts.map((toast) => toast.message)).toEqual([
      "3 sample documents added; these could not be: sales-playbook.docx (No DOCX.)",
    ]);
  });

  it("adds to the sample collection a first try created, without a second one", async () => {
    existing = [collection];
    render(<SampleLoader />);
    await userEvent.click(await screen.findByRole("button", { name: "Try with sample documents" }));
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(3));
    for (const xhr of FakeXhr.sent.slice(0, 3)) await act(async () => xhr.respond(201, {}));
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(4));
    await act(async () => FakeXhr.sent[3]?.respond(201, {}));

    await waitFor(() => expect(router.push).toHaveBeenCalledWith("/collections/c1"));
    expect(requests).not.toContain("POST /api/collections");
    expect(useToastStore.getState().toasts.map((toast) => toast.message)).toEqual([
      "4 sample documents added: indexing now.",
    ]);
  });

  it("says why when the collection cannot be created, and stays", async () => {
    fetchMock.mockImplementationOnce(async () => json(200, manifest));
    fetchMock.mockImplementationOnce(async () => json(200, { items: [], next_cursor: null }));
    fetchMock.mockImplementationOnce(async () =>
      json(403, { title: "Forbidden", status: 403, detail: "Viewers cannot create collections." }),
    );
    render(<SampleLoader />);
    await userEvent.click(await screen.findByRole("button", { name: "Try with sample documents" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Viewers cannot create collections.",
    );
    expect(FakeXhr.sent).toHaveLength(0);
    expect(router.push).not.toHaveBeenCalled();
  });

  it("shows nothing where no samples are shipped", async () => {
    manifestStatus = 404;
    const { container } = render(<SampleLoader />);
    await waitFor(() => expect(requests).toContain("GET /samples/manifest.json"));
    expect(container).toBeEmptyDOMElement();
  });
});
