import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readConsent } from "@/lib/consent";
import { useAuthStore } from "@/stores/auth";
import { renderWithQuery } from "@/test/query";
import { ConsentCard } from "./ConsentCard";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": status < 400 ? "application/json" : "application/problem+json" },
  });

describe("ConsentCard", () => {
  beforeEach(() => useAuthStore.setState({ accessToken: "token", status: "authenticated" }));
  afterEach(() => vi.unstubAllGlobals());

  it("sends only the switched consent, shows the new history, and tells the banner", async () => {
    const fetchMock = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(json(200, { analytics: false, product_email: true, history: [] }))
      .mockResolvedValueOnce(
        json(200, {
          analytics: true,
          product_email: true,
          history: [{ kind: "analytics", granted: true, at: "2026-12-04T21:00:00Z" }],
        }),
      );
    vi.stubGlobal("fetch", fetchMock);
    renderWithQuery(<ConsentCard />);

    const analytics = await screen.findByRole("switch", { name: "Analytics cookies" });
    expect(analytics).toHaveAttribute("aria-checked", "false");
    expect(screen.getByRole("switch", { name: "Product e-mail" })).toHaveAttribute(
      "aria-checked",
      "true",
    );
    expect(screen.getByText(/No choice made yet/)).toBeVisible();

    await userEvent.click(analytics);
    await waitFor(() => expect(analytics).toHaveAttribute("aria-checked", "true"));
    const put = fetchMock.mock.calls[1]?.[0] as Request;
    expect(put.method).toBe("PUT");
    expect(await put.json()).toEqual({ analytics: true });
    const history = screen.getByRole("list", { name: "Consent history" });
    expect(within(history).getByText("Analytics cookies allowed")).toBeVisible();
    expect(readConsent()).toBe("granted");
  });

  it("says why it cannot show the consents", async () => {
    vi.stubGlobal(
      "fetch",
      vi
        .fn<typeof fetch>()
        .mockResolvedValue(
          json(503, { type: "about:blank", title: "Unavailable", status: 503, detail: "Down." }),
        ),
    );
    renderWithQuery(<ConsentCard />);
    expect(await screen.findByRole("alert")).toBeVisible();
    expect(screen.queryByRole("switch")).toBeNull();
  });
});
