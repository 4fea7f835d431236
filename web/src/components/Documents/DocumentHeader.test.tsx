import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { DocumentRead } from "@/hooks/documents/keys";
import { renderWithQuery as render } from "@/test/query";
import { DocumentHeader } from "./DocumentHeader";

vi.mock("next/navigation", () => ({ useRouter: () => ({ replace: vi.fn() }) }));

const document = {
  id: "d1",
  collection_id: "c1",
  title: "Harbour log",
  filename: "log.pdf",
  size: 2048,
  version: 1,
  created_at: "2026-01-01T00:00:00Z",
  original_kept: true,
} as DocumentRead;

describe("DocumentHeader", () => {
  it("offers the download while the original file is kept", () => {
    render(<DocumentHeader document={document} collection={null} canEdit={false} />);
    expect(screen.getByRole("button", { name: "Download" })).toBeEnabled();
    expect(screen.queryByText(/original file was not kept/)).toBeNull();
  });

  it("says why there is no download when the collection kept only the redacted text", () => {
    render(
      <DocumentHeader
        document={{ ...document, original_kept: false }}
        collection={null}
        canEdit={false}
      />,
    );
    const download = screen.getByRole("button", { name: "Download" });
    expect(download).toBeDisabled();
    expect(download).toHaveAccessibleDescription(
      "The original file was not kept: this collection keeps only the redacted text.",
    );
  });
});
