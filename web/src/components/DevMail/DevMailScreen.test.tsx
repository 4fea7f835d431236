import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { json } from "@/test/notifications";
import { renderWithQuery as render } from "@/test/query";
import { DevMailScreen } from "./DevMailScreen";

const push = vi.fn();
const notFound = vi.fn();
vi.mock("next/navigation", () => ({
  useRouter: () => ({ push, replace: vi.fn(), prefetch: vi.fn() }),
  notFound: () => notFound(),
}));

const here = window.location.origin;
const mail = (id: string, subject: string, overrides: Record<string, unknown> = {}) => ({
  id,
  to: [`${id}@example.com`],
  subject,
  received_at: "2026-01-01T10:00:00Z",
  text: `Open ${here}/verify-email?token=${id}`,
  html: null,
  links: [`${here}/verify-email?token=${id}`],
  ...overrides,
});

describe("DevMailScreen", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    // Signed out: a newcomer reads their mail before they can sign in.
    useAuthStore.setState({ accessToken: null, status: "anonymous", user: null });
  });
  afterEach(() => {
    fetchMock.mockReset();
    push.mockReset();
    notFound.mockReset();
    vi.unstubAllGlobals();
  });

  it("lists the mail, shows the newest, and another on a click; its links open in the app", async () => {
    fetchMock.mockImplementation(async () =>
      json({
        items: [
          mail("m2", "Confirm your e-mail address", {
            html: `<p>Please confirm.</p><a href="${here}/verify-email?token=m2">Confirm my address</a> <a href="https://elsewhere.example/help">Help</a>`,
          }),
          mail("m1", "Reset your Sift password", { text: "Reset it here." }),
        ],
      }),
    );
    render(<DevMailScreen />);

    const rows = await screen.findAllByTestId("mail-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveAttribute("aria-current", "true");
    expect(rows[0]).toHaveTextContent("m2@example.com");
    const request = fetchMock.mock.calls[0]![0] as Request;
    expect(new URL(request.url).pathname).toBe("/api/dev/mail");
    expect(request.headers.has("Authorization")).toBe(false);

    const article = screen.getByRole("article", { name: "Confirm your e-mail address" });
    const links = within(article).getByRole("region", { name: "Links in this mail" });
    expect(within(links).getByRole("link")).toHaveAttribute("href", "/verify-email?token=m2");
    const html = within(article).getByTestId("mail-html");
    const help = within(html).getByRole("link", { name: "Help" });
    expect(help).toHaveAttribute("target", "_blank");
    expect(help).toHaveAttribute("rel", "noopener noreferrer");
    await userEvent.click(within(html).getByRole("link", { name: "Confirm my address" }));
    expect(push).toHaveBeenCalledWith("/verify-email?token=m2");

    await userEvent.click(rows[1]!);
    expect(screen.getByRole("article", { name: "Reset your Sift password" })).toBeInTheDocument();
    expect(screen.getByTestId("mail-text")).toHaveTextContent("Reset it here.");
    expect(screen.queryByTestId("mail-html")).toBeNull();
  });

  it("asks again on Refresh and shows what arrived", async () => {
    fetchMock
      .mockResolvedValueOnce(json({ items: [] }))
      .mockResolvedValue(json({ items: [mail("m1", "You are invited to join Engines on Sift")] }));
    render(<DevMailScreen />);
    expect(await screen.findByText("No mail yet")).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText(/Refresh every/)); // no polling in a test
    await userEvent.click(screen.getByRole("button", { name: "Refresh" }));
    expect(await screen.findByTestId("mail-row")).toHaveTextContent("You are invited");
  });

  it("is the app's 404 outside development, where the API has no such route", async () => {
    fetchMock.mockResolvedValue(
      json({ type: "about:blank", title: "Not found", status: 404 }, 404),
    );
    render(<DevMailScreen />);
    await waitFor(() => expect(notFound).toHaveBeenCalled());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fetchMock).toHaveBeenCalledTimes(1); // and it does not ask again
  });
});
