import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { Analytics } from "./Analytics";

const gtagScript = () => document.getElementById("sift-gtag") as HTMLScriptElement | null;

describe("Analytics", () => {
  afterEach(() => {
    window.localStorage.removeItem("sift-analytics-consent");
    gtagScript()?.remove();
  });

  it("loads nothing until the user allows it, then loads gtag.js with the nonce", async () => {
    render(<Analytics measurementId="G-TEST123" nonce="abc" />);
    expect(await screen.findByRole("region", { name: "Analytics consent" })).toBeVisible();
    expect(gtagScript()).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Allow analytics" }));
    expect(screen.queryByRole("region", { name: "Analytics consent" })).toBeNull();
    expect(gtagScript()?.src).toBe("https://www.googletagmanager.com/gtag/js?id=G-TEST123");
    expect(gtagScript()?.nonce).toBe("abc");
  });

  it("remembers a refusal and never loads the script", async () => {
    const { unmount } = render(<Analytics measurementId="G-TEST123" />);
    await userEvent.click(await screen.findByRole("button", { name: "Decline" }));
    unmount();
    render(<Analytics measurementId="G-TEST123" />);
    expect(screen.queryByRole("region", { name: "Analytics consent" })).toBeNull();
    expect(gtagScript()).toBeNull();
  });
});
