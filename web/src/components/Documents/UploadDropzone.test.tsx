import { act, fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { documentKeys, type DocumentRead } from "@/hooks/documents/keys";
import { useAuthStore } from "@/stores/auth";
import { renderWithQuery as render, testQueryClient } from "@/test/query";
import { FakeXhr } from "@/test/xhr";
import { UploadDropzone } from "./UploadDropzone";

const document = {
  id: "d1",
  collection_id: "c1",
  title: "notes",
  filename: "notes.md",
  status: "uploaded",
} as DocumentRead;
const older = { ...document, id: "d0", title: "older", status: "indexed" } as DocumentRead;

describe("UploadDropzone", () => {
  beforeEach(() => {
    FakeXhr.sent = [];
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    useAuthStore.setState({ accessToken: "token", status: "authenticated" });
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows per-file progress and puts the uploaded document on top of the collection's list", async () => {
    const client = testQueryClient();
    client.setQueryData(documentKeys.list("c1", {}), [older]);
    client.setQueryData(documentKeys.list("c1", { tag: "x" }), [older]);
    render(<UploadDropzone collectionId="c1" />, client);

    const file = new File(["# hi"], "notes.md", { type: "text/markdown" });
    await userEvent.upload(screen.getByLabelText("Choose files to upload"), file);
    const [xhr] = FakeXhr.sent;
    expect(`${xhr?.method} ${xhr?.url}`).toBe("POST /api/documents");
    expect(xhr?.headers.Authorization).toBe("Bearer token");
    const form = xhr?.body as FormData;
    expect(form.get("collection_id")).toBe("c1");
    expect((form.get("file") as File).name).toBe("notes.md");

    act(() => xhr?.progress(42, 100));
    expect(screen.getByRole("progressbar", { name: "Uploading notes.md" })).toHaveAttribute(
      "aria-valuenow",
      "42",
    );

    await act(async () => xhr?.respond(201, document));
    expect(screen.getByTestId("upload-item")).toHaveAttribute("data-state", "done");
    expect(client.getQueryData(documentKeys.list("c1", {}))).toEqual([document, older]);
    // A filtered list shows what the server matched, nothing more.
    expect(client.getQueryData(documentKeys.list("c1", { tag: "x" }))).toEqual([older]);
  });

  it.each([
    [413, "File too large", "The limit is 100 MB.", "This file is too large. The limit is 100 MB."],
    [
      415,
      "Unsupported media type",
      "image/png is not accepted.",
      "This file type is not supported. image/png is not accepted.",
    ],
    [409, "Duplicate", "Duplicate", "This file is already in the collection."],
  ])("explains a %i refusal", async (status, title, detail, message) => {
    render(<UploadDropzone collectionId="c1" />);
    await userEvent.upload(
      screen.getByLabelText("Choose files to upload"),
      new File(["x"], "x.pdf"),
    );
    await act(async () => FakeXhr.sent[0]?.respond(status, { title, detail, status }));
    const item = await screen.findByTestId("upload-item");
    expect(within(item).getByRole("alert")).toHaveTextContent(message);
    expect(item).toHaveAttribute("data-state", "error");
  });

  it("uploads every file dropped on it", async () => {
    render(<UploadDropzone collectionId="c1" />);
    const files = [new File(["a"], "a.md"), new File(["b"], "b.txt")];
    await act(async () => {
      fireEvent.drop(screen.getByTestId("dropzone"), { dataTransfer: { files } });
    });
    expect(FakeXhr.sent.map((xhr) => (xhr.body as FormData).get("file"))).toEqual(files);
    expect(screen.getAllByTestId("upload-item")).toHaveLength(2);
  });
});
