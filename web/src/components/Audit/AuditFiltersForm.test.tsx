import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { AuditFiltersForm } from "./AuditFiltersForm";

describe("AuditFiltersForm", () => {
  it("applies the filters as the API takes them: days in UTC, `to` exclusive", async () => {
    const onApply = vi.fn();
    render(<AuditFiltersForm userId="u-1" onApply={onApply} />);
    await userEvent.type(screen.getByLabelText("Action", { exact: true }), " document.downloaded ");
    await userEvent.selectOptions(screen.getByLabelText("Target type"), "document");
    await userEvent.click(screen.getByLabelText("Only my actions"));
    await userEvent.type(screen.getByLabelText("From"), "2026-12-01");
    await userEvent.type(screen.getByLabelText("To"), "2026-12-31");
    await userEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(onApply).toHaveBeenCalledWith({
      action: "document.downloaded",
      target_type: "document",
      actor_id: "u-1",
      from: "2026-12-01T00:00:00.000Z",
      to: "2027-01-01T00:00:00.000Z",
    });
  });

  it("refuses what the API would refuse, without calling it", async () => {
    const onApply = vi.fn();
    render(<AuditFiltersForm userId={undefined} onApply={onApply} />);
    await userEvent.type(screen.getByLabelText("Action", { exact: true }), "DROP TABLE");
    await userEvent.type(screen.getByLabelText("From"), "2026-12-02");
    await userEvent.type(screen.getByLabelText("To"), "2026-12-01");
    await userEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(screen.getByText(/An event type/)).toBeVisible();
    expect(screen.getByText(/cannot be before/)).toBeVisible();
    expect(onApply).not.toHaveBeenCalled();
  });
});
