import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { feed, json, notification } from "@/test/notifications";
import { renderWithQuery as render } from "@/test/query";
import { NotificationBell, PANEL_SIZE, unreadLabel } from "./NotificationBell";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ push: vi.fn(), replace: vi.fn(), prefetch: vi.fn() }),
  usePathname: () => "/collections",
}));

describe("NotificationBell", () => {
  const fetchMock = vi.fn<typeof fetch>();
  let live: ReturnType<typeof feed>;
  let listed: ReturnType<typeof notification>[];

  beforeEach(() => {
    live = feed();
    listed = [notification("n1"), notification("n2", { read_at: "2026-01-01T00:00:00Z" })];
    vi.stubGlobal("fetch", fetchMock);
    fetchMock.mockImplementation(async (input) => {
      const path = new URL((input as Request).url).pathname;
      if (path === "/api/notifications/unread-count") return json({ count: 2 });
      if (path === "/api/notifications/stream") return live.response();
      if (path === "/api/notifications") return json({ items: listed, next_cursor: null });
      throw new Error(`unexpected ${path}`);
    });
    useAuthStore.setState({ accessToken: "t", status: "authenticated", user: null });
  });
  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
  });

  it("says the unread count, and follows the feed without asking again", async () => {
    render(<NotificationBell />);
    const bell = await screen.findByRole("button", { name: "Notifications, 2 unread" });
    expect(within(bell).getByTestId("unread-count")).toHaveTextContent("2");

    live.send("unread_count", { count: 3 }, "n1");
    await waitFor(() => expect(bell).toHaveAccessibleName("Notifications, 3 unread"));
    const announcer = screen.getByRole("status");
    expect(announcer).toHaveAttribute("aria-live", "polite");
    expect(announcer).toHaveTextContent("3 unread notifications");

    live.send("unread_count", { count: 0 }, "n1");
    await waitFor(() => expect(bell).toHaveAccessibleName("Notifications, none unread"));
    expect(screen.queryByTestId("unread-count")).toBeNull();
    const counts = fetchMock.mock.calls.filter(([input]) =>
      (input as Request).url.endsWith("/unread-count"),
    );
    expect(counts).toHaveLength(1); // the feed keeps it, no polling
  });

  it("opens a panel of the latest few, new ones on top, and a link to the page", async () => {
    listed = Array.from({ length: PANEL_SIZE + 2 }, (_, index) => notification(`n${index}`));
    render(<NotificationBell />);
    await userEvent.click(await screen.findByRole("button", { name: /^Notifications/ }));
    const menu = await screen.findByRole("menu");
    await waitFor(() => expect(within(menu).getAllByTestId("bell-notification")).toHaveLength(5));
    expect(within(menu).getByRole("menuitem", { name: "See all notifications" })).toHaveAttribute(
      "href",
      "/notifications",
    );

    live.send("notification", notification("fresh", { title: "Fresh one" }), "fresh");
    await waitFor(() =>
      expect(within(menu).getAllByTestId("bell-notification")[0]).toHaveTextContent("Fresh one"),
    );
    expect(within(menu).getAllByTestId("bell-notification")).toHaveLength(PANEL_SIZE);
  });

  it("says so when there is nothing yet", async () => {
    listed = [];
    render(<NotificationBell />);
    await userEvent.click(await screen.findByRole("button", { name: /^Notifications/ }));
    expect(await screen.findByText(/Nothing yet/)).toBeInTheDocument();
  });

  it("labels every count", () => {
    expect(unreadLabel(undefined)).toBe("Notifications");
    expect(unreadLabel(0)).toBe("Notifications, none unread");
    expect(unreadLabel(1)).toBe("Notifications, 1 unread");
  });
});
