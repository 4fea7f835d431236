import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { collectionKeys, type Collection } from "@/hooks/collections/keys";
import { toApiError } from "@/lib/api/problem";
import { useAuthStore } from "@/stores/auth";
import { useToastStore } from "@/stores/toast";
import { renderWithQuery as render } from "@/test/query";
import { CreateCollectionDialog } from "./CreateCollectionDialog";
import { EditCollectionDialog } from "./EditCollectionDialog";

const replace = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ replace }) }));

const json = (status: number, body: unknown) =>
  new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": status < 400 ? "application/json" : "application/problem+json" },
  });

const collection: Collection = {
  id: "c1",
  name: "Field guides",
  description: "Lichens and mosses",
  visibility: "org",
  redact_pii: false,
  keep_original_files: true,
  role: "manager",
  created_by: "me",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

describe("CreateCollectionDialog", () => {
  it("checks the name before calling, then creates a restricted collection and closes", async () => {
    const user = userEvent.setup();
    const onCreate = vi.fn().mockResolvedValue(undefined);
    render(<CreateCollectionDialog onCreate={onCreate} />);

    await user.click(screen.getByRole("button", { name: "New collection" }));
    const dialog = screen.getByRole("dialog", { name: "New collection" });
    expect(screen.getByLabelText("Name")).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "Create collection" }));
    expect(await screen.findByText("Give the collection a name.")).toBeInTheDocument();
    expect(onCreate).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText("Name"), "  Board minutes ");
    await user.click(screen.getByLabelText("Only people I add"));
    await user.click(screen.getByRole("button", { name: "Create collection" }));
    await waitFor(() => expect(dialog).not.toBeInTheDocument());
    expect(onCreate).toHaveBeenCalledWith({
      name: "Board minutes",
      description: "",
      visibility: "restricted",
      redact_pii: false, // off unless asked for
      keep_original_files: true,
    });

    // Opened again, the form starts empty.
    await user.click(screen.getByRole("button", { name: "New collection" }));
    expect(screen.getByLabelText("Name")).toHaveValue("");
    expect(screen.getByLabelText("Everyone in the organization")).toBeChecked();
  });

  it("offers to drop the original files only while personal data is hidden", async () => {
    const user = userEvent.setup();
    const onCreate = vi.fn().mockResolvedValue(undefined);
    render(<CreateCollectionDialog onCreate={onCreate} />);
    await user.click(screen.getByRole("button", { name: "New collection" }));
    await user.type(screen.getByLabelText("Name"), "Case files");

    const keep = screen.getByLabelText("Keep the original files");
    expect(keep).toBeChecked();
    expect(keep).toBeDisabled();
    expect(keep).toHaveAccessibleDescription(/Turn on “Hide personal data from search”/);

    await user.click(screen.getByLabelText("Hide personal data from search"));
    expect(keep).toBeEnabled();
    expect(keep).toHaveAccessibleDescription(/only the redacted text can be read/);
    await user.click(keep);
    expect(keep).not.toBeChecked();

    // Redaction off again: the originals are the only copy, kept whatever was ticked.
    await user.click(screen.getByLabelText("Hide personal data from search"));
    expect(keep).toBeChecked();
    expect(keep).toBeDisabled();
    await user.click(screen.getByLabelText("Hide personal data from search"));
    await user.click(keep);

    await user.click(screen.getByRole("button", { name: "Create collection" }));
    await waitFor(() =>
      expect(onCreate).toHaveBeenCalledWith({
        name: "Case files",
        description: "",
        visibility: "org",
        redact_pii: true,
        keep_original_files: false,
      }),
    );
  });

  it("keeps the dialog open with the server's sentence, or its field errors by the fields", async () => {
    const user = userEvent.setup();
    const onCreate = vi
      .fn()
      .mockRejectedValueOnce(
        toApiError(409, {
          title: "Collection name taken",
          detail: "Another collection of the organization has this name.",
        }),
      )
      .mockRejectedValueOnce(
        toApiError(422, { errors: [{ loc: ["body", "name"], msg: "Too similar to another." }] }),
      );
    render(<CreateCollectionDialog onCreate={onCreate} />);
    await user.click(screen.getByRole("button", { name: "New collection" }));
    await user.type(screen.getByLabelText("Name"), "Field guides");

    await user.click(screen.getByRole("button", { name: "Create collection" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Another collection of the organization has this name.",
    );
    await user.click(screen.getByRole("button", { name: "Create collection" }));
    expect(await screen.findByText("Too similar to another.")).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("dialog", { name: "New collection" })).toBeInTheDocument();
  });
});

describe("EditCollectionDialog", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    useAuthStore.setState({ accessToken: "t", status: "authenticated" });
  });
  afterEach(() => {
    fetchMock.mockReset();
    replace.mockReset();
    vi.unstubAllGlobals();
    useToastStore.setState({ toasts: [] });
  });

  it("starts from the collection, saves the changes and reports them", async () => {
    const user = userEvent.setup();
    const saved: Collection = {
      ...collection,
      name: "Field guides (north)",
      visibility: "restricted",
      redact_pii: true,
    };
    fetchMock.mockResolvedValueOnce(json(200, saved));
    const { client } = render(<EditCollectionDialog collection={collection} />);

    await user.click(screen.getByRole("button", { name: "Edit collection" }));
    expect(screen.getByLabelText("Name")).toHaveValue("Field guides");
    expect(screen.getByLabelText("Description (optional)")).toHaveValue("Lichens and mosses");
    expect(screen.getByLabelText("Everyone in the organization")).toBeChecked();
    expect(screen.getByLabelText("Hide personal data from search")).not.toBeChecked();
    await user.type(screen.getByLabelText("Name"), " (north)");
    await user.click(screen.getByLabelText("Only people I add"));
    await user.click(screen.getByLabelText("Hide personal data from search"));
    await user.click(screen.getByRole("button", { name: "Save" }));

    // The collection's page reads the saved collection from the cache.
    await waitFor(() => expect(client.getQueryData(collectionKeys.detail("c1"))).toEqual(saved));
    const request = fetchMock.mock.calls[0]![0] as Request;
    expect(`${request.method} ${new URL(request.url).pathname}`).toBe("PATCH /api/collections/c1");
    expect(await request.json()).toEqual({
      name: "Field guides (north)",
      description: "Lichens and mosses",
      visibility: "restricted",
      redact_pii: true,
      keep_original_files: true,
    });
    expect(useToastStore.getState().toasts.map((toast) => toast.message)).toContain(
      "Collection saved.",
    );
    expect(screen.queryByRole("dialog", { name: "Edit collection" })).not.toBeInTheDocument();
  });

  it("keeps the original files again when personal data stops being hidden", async () => {
    const user = userEvent.setup();
    const redacted: Collection = { ...collection, redact_pii: true, keep_original_files: false };
    fetchMock.mockResolvedValueOnce(json(200, { ...redacted, redact_pii: false }));
    render(<EditCollectionDialog collection={redacted} />);

    await user.click(screen.getByRole("button", { name: "Edit collection" }));
    expect(screen.getByLabelText("Keep the original files")).not.toBeChecked();
    await user.click(screen.getByLabelText("Hide personal data from search"));
    expect(screen.getByLabelText("Keep the original files")).toBeChecked();
    await user.click(screen.getByRole("button", { name: "Save" }));

    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    const request = fetchMock.mock.calls[0]![0] as Request;
    // Both in one request: the API refuses originals dropped without redaction.
    expect(await request.json()).toMatchObject({ redact_pii: false, keep_original_files: true });
  });

  it("deletes only after confirming, then leaves for the collection list", async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    render(<EditCollectionDialog collection={collection} />);

    await user.click(screen.getByRole("button", { name: "Edit collection" }));
    await user.click(screen.getByRole("button", { name: "Delete collection" }));
    const confirm = screen.getByRole("dialog", { name: "Delete “Field guides”?" });
    expect(fetchMock).not.toHaveBeenCalled();
    await user.click(
      Array.from(confirm.querySelectorAll("button")).find(
        (button) => button.textContent === "Delete collection",
      )!,
    );

    await waitFor(() => expect(replace).toHaveBeenCalledWith("/collections"));
    const request = fetchMock.mock.calls[0]![0] as Request;
    expect(`${request.method} ${new URL(request.url).pathname}`).toBe("DELETE /api/collections/c1");
  });
});
