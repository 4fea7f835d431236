import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { renderWithQuery } from "@/test/query";
import { Analytics } from "./Analytics";

const gtagScript = () => document.getElementById("sift-gtag") as HTMLScriptElement | null;
const json = (body: unknown) =>
  new Response(JSON.stringify(body), {
    status: 200,
    headers: { "content-type": "application/json" },
  });
const consents = (history: { kind: string; granted: boolean; at: string }[]) =>
  json({ analytics: false, product_email: true, history });

describe("Analytics", () => {
  afterEach(() => {
    window.localStorage.removeItem("sift-analytics-consent");
    gtagScript()?.remove();
    useAuthStore.setState({ accessToken: null, status: "unknown" });
    vi.unstubAllGlobals();
  });

  it("loads nothing until the user allows it, then loads gtag.js with the nonce", async () => {
    const fetchMock = vi.fn<typeof fetch>();
    vi.stubGlobal("fetch", fetchMock);
    renderWithQuery(<Analytics measurementId="G-TEST123" nonce="abc" />);
    expect(await screen.findByRole("region", { name: "Analytics consent" })).toBeVisible();
    expect(gtagScript()).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Allow analytics" }));
    expect(screen.queryByRole("region", { name: "Analytics consent" })).toBeNull();
    expect(gtagScript()?.src).toBe("https://www.googletagmanager.com/gtag/js?id=G-TEST123");
    expect(gtagScript()?.nonce).toBe("abc");
    expect(fetchMock).not.toHaveBeenCalled(); // signed out: nothing to record it with
  });

  it("remembers a refusal and never loads the script", async () => {
    const { unmount } = renderWithQuery(<Analytics measurementId="G-TEST123" />);
    await userEvent.click(await screen.findByRole("button", { name: "Decline" }));
    unmount();
    renderWithQuery(<Analytics measurementId="G-TEST123" />);
    expect(screen.queryByRole("region", { name: "Analytics consent" })).toBeNull();
    expect(gtagScript()).toBeNull();
  });

  it("records a signed-in person's choice with their consents", async () => {
    useAuthStore.setState({ accessToken: "token", status: "authenticated" });
    const fetchMock = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(consents([]))
      .mockResolvedValue(
        consents([{ kind: "analytics", granted: false, at: "2026-12-04T21:00:00Z" }]),
      );
    vi.stubGlobal("fetch", fetchMock);
    renderWithQuery(<Analytics measurementId="G-TEST123" />);
    await userEvent.click(await screen.findByRole("button", { name: "Decline" }));

    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2));
    const put = fetchMock.mock.calls[1]?.[0] as Request;
    expect(put.method).toBe("PUT");
    expect(new URL(put.url).pathname).toBe("/api/privacy/consents");
    expect(await put.json()).toEqual({ analytics: false });
    expect(gtagScript()).toBeNull();
  });

  it("takes a choice recorded on another browser instead of asking again", async () => {
    useAuthStore.setState({ accessToken: "token", status: "authenticated" });
    vi.stubGlobal(
      "fetch",
      vi
        .fn<typeof fetch>()
        .mockResolvedValue(
          consents([{ kind: "analytics", granted: true, at: "2026-12-04T21:00:00Z" }]),
        ),
    );
    renderWithQuery(<Analytics measurementId="G-TEST123" />);
    await waitFor(() => expect(gtagScript()).not.toBeNull());
    expect(screen.queryByRole("region", { name: "Analytics consent" })).toBeNull();
    expect(window.localStorage.getItem("sift-analytics-consent")).toBe("granted");
  });
});
