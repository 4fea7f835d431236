import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { useToastStore } from "@/stores/toast";
import { renderWithQuery as render } from "@/test/query";
import { NotificationPreferences } from "./NotificationPreferences";

const row = (type: string, locked = false) => ({
  type,
  in_app: true,
  email: true,
  sms: false,
  locked,
  sms_available: !["member_added", "collection_access_granted", "account_links"].includes(type),
});
const defaults = {
  types: [
    row("document_indexed"),
    row("document_index_failed"),
    row("saved_search_matched"),
    row("member_added"),
    row("collection_access_granted"),
    row("security_alert", true),
    row("account_links", true),
  ],
  quiet_hours: null,
  digest: "off",
  time_zone: "Europe/Berlin",
};
const json = (status: number, body: unknown, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

describe("NotificationPreferences", () => {
  // The preferences' requests, in order; the phone card's go to `phoneMock`.
  const fetchMock = vi.fn<typeof fetch>();
  const phoneMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    phoneMock.mockImplementation(async () => json(200, { number: null, verified: false }));
    vi.stubGlobal("fetch", (input: Request) =>
      new URL(input.url).pathname.startsWith("/api/notifications/phone")
        ? phoneMock(input)
        : fetchMock(input),
    );
    useAuthStore.setState({ accessToken: "t", status: "authenticated" });
  });
  afterEach(() => {
    fetchMock.mockReset();
    phoneMock.mockReset();
    vi.unstubAllGlobals();
    useToastStore.setState({ toasts: [] });
  });

  const sent = async (index: number) => {
    const request = fetchMock.mock.calls[index]![0] as Request;
    return { method: request.method, body: await request.clone().json() };
  };

  it("shows types by name; security rows are checked, disabled and say why", async () => {
    fetchMock.mockResolvedValueOnce(json(200, defaults));
    render(<NotificationPreferences />);

    const rows = await screen.findAllByTestId("preference-row");
    expect(rows).toHaveLength(7);
    const ready = screen.getByRole("checkbox", { name: "Document ready: In-app" });
    expect(ready).toBeChecked();
    expect(ready).toBeEnabled();
    const security = screen.getByRole("checkbox", { name: "Security alerts: E-mail" });
    expect(security).toBeChecked();
    expect(security).toBeDisabled();
    expect(within(rows[5]!).getByText("Security mail cannot be switched off.")).toBeVisible();
    const sms = screen.getByRole("checkbox", { name: "Document ready: SMS" });
    expect(sms).toBeDisabled();
    expect(sms).toHaveAttribute("title", "Verify a phone number above to get text messages.");
    expect(screen.getByLabelText("Time zone")).toHaveValue("Europe/Berlin");
    expect(screen.getByRole("button", { name: "Save preferences" })).toBeDisabled();
  });

  it("saves a switched-off type, quiet hours and the digest, with a toast", async () => {
    const saved = {
      ...defaults,
      types: [
        { ...row("document_indexed"), in_app: false, email: false },
        ...defaults.types.slice(1),
      ],
      quiet_hours: { start: "22:00:00", end: "07:00:00", time_zone: "Europe/Berlin" },
      digest: "daily",
    };
    fetchMock.mockResolvedValueOnce(json(200, defaults)).mockResolvedValueOnce(json(200, saved));
    render(<NotificationPreferences />);

    await userEvent.click(await screen.findByRole("checkbox", { name: "Document ready: In-app" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Document ready: E-mail" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Hold e-mail during quiet hours" }));
    await userEvent.selectOptions(screen.getByLabelText("Digest"), "daily");
    await userEvent.click(screen.getByRole("button", { name: "Save preferences" }));

    await waitFor(() =>
      expect(useToastStore.getState().toasts.map((toast) => toast.message)).toContain(
        "Notification preferences saved.",
      ),
    );
    const { method, body } = await sent(1);
    expect(method).toBe("PUT");
    expect(body.types).toHaveLength(5); // locked rows are not sent
    expect(body.types[0]).toEqual({
      type: "document_indexed",
      in_app: false,
      email: false,
      sms: false,
      locked: false,
      sms_available: false,
    });
    expect(body.quiet_hours).toEqual({ start: "22:00", end: "07:00", time_zone: "Europe/Berlin" });
    expect(body.digest).toBe("daily");
    expect(screen.getByRole("checkbox", { name: "Document ready: In-app" })).not.toBeChecked();
  });

  it("checks quiet hours before asking, and shows what the server refuses", async () => {
    fetchMock.mockResolvedValueOnce(json(200, defaults)).mockResolvedValueOnce(
      json(
        422,
        {
          type: "https://sift.dev/problems/invalid-time-zone",
          title: "Unknown time zone",
          status: 422,
          detail: "“Europe/Berlin” is not an IANA time zone.",
          errors: [{ loc: ["body", "quiet_hours", "time_zone"], msg: "Not a zone we know." }],
        },
        "application/problem+json",
      ),
    );
    render(<NotificationPreferences />);
    await userEvent.click(
      await screen.findByRole("checkbox", { name: "Hold e-mail during quiet hours" }),
    );
    const to = screen.getByLabelText("To");
    await userEvent.clear(to);
    await userEvent.type(to, "22:00");
    await userEvent.click(screen.getByRole("button", { name: "Save preferences" }));
    expect(
      await screen.findByText("Quiet hours must start and end at different times."),
    ).toBeVisible();
    expect(fetchMock).toHaveBeenCalledTimes(1);

    await userEvent.clear(to);
    await userEvent.type(to, "06:30");
    await userEvent.click(screen.getByRole("button", { name: "Save preferences" }));
    expect(await screen.findByText("Not a zone we know.")).toBeVisible();
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it("shows a refusal that names a type above the form", async () => {
    fetchMock.mockResolvedValueOnce(json(200, defaults)).mockResolvedValueOnce(
      json(
        422,
        {
          type: "https://sift.dev/problems/unknown-notification-type",
          title: "Unknown notification type",
          status: 422,
          detail: "“member_added” is not a notification type.",
          errors: [{ loc: ["body", "types", "3", "type"], msg: "not a type" }],
        },
        "application/problem+json",
      ),
    );
    render(<NotificationPreferences />);
    await userEvent.click(
      await screen.findByRole("checkbox", { name: "Added to a collection: E-mail" }),
    );
    await userEvent.click(screen.getByRole("button", { name: "Save preferences" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "“member_added” is not a notification type.",
    );
  });

  it("verifies a phone with the texted code, then the SMS column can be used", async () => {
    let phone = { number: null as string | null, verified: false };
    phoneMock.mockImplementation(async (input) => {
      const request = input as Request;
      if (request.method === "PUT") {
        const { number } = await request.clone().json();
        if (!number.startsWith("+")) {
          return json(
            422,
            {
              type: "https://sift.dev/problems/invalid-phone-number",
              title: "Invalid phone number",
              status: 422,
              detail: "Give the number in international form, e.g. +4915112345678.",
              errors: [{ loc: ["body", "number"], msg: "Use the international form." }],
            },
            "application/problem+json",
          );
        }
        phone = { number: "+15*****1111", verified: false };
        return json(202, phone);
      }
      if (request.method === "POST") phone = { ...phone, verified: true };
      return json(200, phone);
    });
    fetchMock.mockImplementation(async () => json(200, defaults));
    render(<NotificationPreferences />);

    const number = await screen.findByLabelText("Mobile number");
    await userEvent.type(number, "0155 5000 1111");
    await userEvent.click(screen.getByRole("button", { name: "Text me a code" }));
    expect(await screen.findByText("Use the international form.")).toBeVisible();

    await userEvent.clear(number);
    await userEvent.type(number, "+1 555 000 1111");
    await userEvent.click(screen.getByRole("button", { name: "Text me a code" }));
    await userEvent.type(await screen.findByLabelText("Code"), "123456");
    await userEvent.click(screen.getByRole("button", { name: "Verify" }));

    expect(await screen.findByTestId("verified-phone")).toHaveTextContent("+15*****1111");
    await waitFor(() =>
      expect(screen.getByRole("checkbox", { name: "Document ready: SMS" })).toBeEnabled(),
    );
    const links = screen.getByRole("checkbox", { name: "Added to a collection: SMS" });
    expect(links).toBeDisabled();
    expect(links).toHaveAttribute("title", "Not sent by text message.");
  });
});
