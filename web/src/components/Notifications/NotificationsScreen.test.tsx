import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useNotificationStream } from "@/hooks/notifications/stream";
import { useAuthStore } from "@/stores/auth";
import { useToastStore } from "@/stores/toast";
import { feed, json, notification, requests } from "@/test/notifications";
import { renderWithQuery as render } from "@/test/query";
import { NotificationsScreen } from "./NotificationsScreen";

const push = vi.fn();
vi.mock("next/navigation", () => ({
  useRouter: () => ({ push, replace: vi.fn(), prefetch: vi.fn() }),
  usePathname: () => "/notifications",
}));

type Route = (url: URL) => Response | Promise<Response>;

describe("NotificationsScreen", () => {
  const fetchMock = vi.fn<typeof fetch>();
  /** Answers by "METHOD /path"; anything else fails the test loudly. */
  const serve = (routes: Record<string, Route>) =>
    fetchMock.mockImplementation(async (input) => {
      const request = input as Request;
      const url = new URL(request.url);
      const route = routes[`${request.method} ${url.pathname}`];
      if (!route) throw new Error(`unexpected ${request.method} ${url.pathname}`);
      return route(url);
    });

  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    useAuthStore.setState({ accessToken: "t", status: "authenticated", user: null });
  });
  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
    useToastStore.setState({ toasts: [] });
  });

  it("lists a page at a time, marks one read, and following a link marks it read", async () => {
    const read = notification("n2", { read_at: "2026-01-01T00:00:00Z", link: null });
    serve({
      "GET /api/notifications": (url) =>
        url.searchParams.get("cursor") === "c2"
          ? json({ items: [notification("n3")], next_cursor: null })
          : json({ items: [notification("n1"), read], next_cursor: "c2" }),
      "GET /api/notifications/unread-count": () => json({ count: 2 }),
      "POST /api/notifications/n1/read": () => new Response(null, { status: 204 }),
      "POST /api/notifications/n3/read": () => new Response(null, { status: 204 }),
    });
    render(<NotificationsScreen />);

    const rows = await screen.findAllByTestId("notification-row");
    expect(rows.map((row) => row.dataset.read)).toEqual(["false", "true"]);
    expect(within(rows[1]!).queryByRole("link")).toBeNull(); // no link, plain text
    expect(within(rows[1]!).queryByRole("button", { name: /Mark/ })).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(screen.getAllByTestId("notification-row")).toHaveLength(3));
    expect(requests(fetchMock.mock.calls)).toContain("GET /api/notifications?limit=20&cursor=c2");
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Mark “Document n1 ready” read" }));
    await waitFor(() =>
      expect(screen.getAllByTestId("notification-row")[0]).toHaveAttribute("data-read", "true"),
    );
    expect(requests(fetchMock.mock.calls)).toContain("POST /api/notifications/n1/read");

    const link = screen.getByRole("link", { name: "Document n3 ready" });
    expect(link).toHaveAttribute("href", "/documents/n3");
    await userEvent.click(link);
    await waitFor(() =>
      expect(requests(fetchMock.mock.calls)).toContain("POST /api/notifications/n3/read"),
    );
    await waitFor(() =>
      expect(screen.getAllByTestId("notification-row")[2]).toHaveAttribute("data-read", "true"),
    );
  });

  it("asks the server for the unread ones only; mark all read empties that list", async () => {
    let marked = false;
    serve({
      "GET /api/notifications": (url) =>
        json({
          items:
            url.searchParams.get("unread") === "true"
              ? marked
                ? []
                : [notification("n1")]
              : [notification("n1"), notification("n2", { read_at: "2026-01-01T00:00:00Z" })],
          next_cursor: null,
        }),
      "GET /api/notifications/unread-count": () => json({ count: marked ? 0 : 1 }),
      "POST /api/notifications/read-all": () => {
        marked = true;
        return new Response(null, { status: 204 });
      },
    });
    render(<NotificationsScreen />);
    expect(await screen.findAllByTestId("notification-row")).toHaveLength(2);

    await userEvent.click(screen.getByLabelText("Unread only"));
    await waitFor(() => expect(screen.getAllByTestId("notification-row")).toHaveLength(1));
    expect(requests(fetchMock.mock.calls)).toContain("GET /api/notifications?limit=20&unread=true");

    const markAll = screen.getByRole("button", { name: "Mark all read" });
    await waitFor(() => expect(markAll).toBeEnabled());
    await userEvent.click(markAll);
    expect(await screen.findByText("No unread notifications")).toBeInTheDocument();
    await waitFor(() => expect(markAll).toBeDisabled()); // the count was asked again: 0
  });

  it("says when there is nothing, and when the list cannot be read", async () => {
    serve({
      "GET /api/notifications": () =>
        json({ type: "about:blank", title: "Service unavailable", status: 503 }, 503),
      "GET /api/notifications/unread-count": () => json({ count: 0 }),
    });
    render(<NotificationsScreen />);
    expect(await screen.findByRole("alert")).not.toHaveTextContent("{");
    expect(screen.queryByTestId("notification-row")).toBeNull();

    fetchMock.mockReset();
    serve({
      "GET /api/notifications": () => json({ items: [], next_cursor: null }),
      "GET /api/notifications/unread-count": () => json({ count: 0 }),
    });
    render(<NotificationsScreen />);
    expect(await screen.findByText("No notifications yet")).toBeInTheDocument();
  });

  it("puts a notification the feed brings on top, once", async () => {
    const live = feed();
    serve({
      "GET /api/notifications": () => json({ items: [notification("n1")], next_cursor: null }),
      "GET /api/notifications/unread-count": () => json({ count: 1 }),
      "GET /api/notifications/stream": () => live.response(),
    });
    function WithFeed() {
      useNotificationStream();
      return <NotificationsScreen />;
    }
    render(<WithFeed />);
    expect(await screen.findAllByTestId("notification-row")).toHaveLength(1);

    const fresh = notification("n9", { title: "Just now" });
    live.send("notification", fresh, "n9");
    live.send("notification", fresh, "n9"); // a resumed feed may repeat one
    live.send("unread_count", { count: 2 }, "n9");
    await waitFor(() => expect(screen.getAllByTestId("notification-row")).toHaveLength(2));
    expect(screen.getAllByTestId("notification-row")[0]).toHaveTextContent("Just now");
    const stream = fetchMock.mock.calls
      .map(([input]) => input as Request)
      .find((request) => request.url.endsWith("/api/notifications/stream"));
    expect(stream?.headers.get("Authorization")).toBe("Bearer t");
  });
});
