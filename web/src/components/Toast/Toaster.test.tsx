import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api/problem";
import { TOAST_MS, toastError, useToastStore } from "@/stores/toast";
import { Toaster } from "./Toaster";

describe("Toaster", () => {
  afterEach(() => {
    useToastStore.setState({ toasts: [] });
    vi.useRealTimers();
  });

  it("shows an API error as its sentence, not its JSON, and lets it be dismissed", async () => {
    render(<Toaster />);
    act(() => toastError(new ApiError(403, "Forbidden", "Only admins can invite members.")));
    expect(screen.getByTestId("toast")).toHaveTextContent("Only admins can invite members.");
    expect(screen.getByTestId("toast")).not.toHaveTextContent("{");
    await userEvent.click(screen.getByRole("button", { name: "Dismiss notification" }));
    expect(screen.queryByTestId("toast")).toBeNull();
  });

  it("explains a network failure and goes away by itself", () => {
    vi.useFakeTimers();
    render(<Toaster />);
    act(() => toastError(new TypeError("Failed to fetch")));
    expect(screen.getByTestId("toast")).toHaveTextContent("Cannot reach Sift");
    act(() => vi.advanceTimersByTime(TOAST_MS));
    expect(screen.queryByTestId("toast")).toBeNull();
  });

  it("shows a repeated message once", () => {
    render(<Toaster />);
    act(() => {
      toastError(new ApiError(500, "Oops", "Try again."));
      toastError(new ApiError(500, "Oops", "Try again."));
    });
    expect(screen.getAllByTestId("toast")).toHaveLength(1);
  });
});
