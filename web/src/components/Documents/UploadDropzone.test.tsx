import { act, fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api/problem";
import type { DocumentRead, UploadOptions } from "@/lib/api/upload";
import { UploadDropzone } from "./UploadDropzone";

const document = {
  id: "d1",
  title: "notes",
  filename: "notes.md",
  status: "uploaded",
} as DocumentRead;

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("UploadDropzone", () => {
  it("shows per-file progress and reports the uploaded document", async () => {
    const pending = deferred<DocumentRead>();
    let progress: UploadOptions["onProgress"];
    const upload = vi.fn(
      (_fields: { collection_id: string; file: File }, options: UploadOptions) => {
        progress = options.onProgress;
        return pending.promise;
      },
    );
    const onUploaded = vi.fn();
    render(<UploadDropzone collectionId="c1" onUploaded={onUploaded} upload={upload} />);

    const file = new File(["# hi"], "notes.md", { type: "text/markdown" });
    await userEvent.upload(screen.getByLabelText("Choose files to upload"), file);
    expect(upload).toHaveBeenCalledWith({ collection_id: "c1", file }, expect.anything());

    act(() => progress?.(0.42));
    expect(screen.getByRole("progressbar", { name: "Uploading notes.md" })).toHaveAttribute(
      "aria-valuenow",
      "42",
    );

    await act(async () => pending.resolve(document));
    expect(onUploaded).toHaveBeenCalledWith(document);
    expect(screen.getByTestId("upload-item")).toHaveAttribute("data-state", "done");
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
    const upload = vi.fn().mockRejectedValue(new ApiError(status, title, detail));
    render(<UploadDropzone collectionId="c1" onUploaded={vi.fn()} upload={upload} />);
    await userEvent.upload(
      screen.getByLabelText("Choose files to upload"),
      new File(["x"], "x.pdf"),
    );
    const item = await screen.findByTestId("upload-item");
    expect(within(item).getByRole("alert")).toHaveTextContent(message);
    expect(item).toHaveAttribute("data-state", "error");
  });

  it("uploads every file dropped on it", async () => {
    const upload = vi.fn().mockResolvedValue(document);
    render(<UploadDropzone collectionId="c1" onUploaded={vi.fn()} upload={upload} />);
    const files = [new File(["a"], "a.md"), new File(["b"], "b.txt")];
    await act(async () => {
      fireEvent.drop(screen.getByTestId("dropzone"), { dataTransfer: { files } });
    });
    expect(upload).toHaveBeenCalledTimes(2);
    expect(screen.getAllByTestId("upload-item")).toHaveLength(2);
  });
});
