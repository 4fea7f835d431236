import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import type { Organization } from "@/stores/organizations";
import { useToastStore } from "@/stores/toast";
import { InvitationList } from "./InvitationList";
import { renderWithQuery as render } from "@/test/query";

const organization: Organization = {
  id: "o1",
  name: "Analytical Engines",
  personal: false,
  role: "admin",
  current: true,
  created_at: "2026-01-01T00:00:00Z",
};
const invitation = (id: string, role: string, expiresAt: string) => ({
  id,
  org_id: "o1",
  email: `${id}@example.com`,
  role,
  created_at: "2026-01-02T00:00:00Z",
  expires_at: expiresAt,
  invited_by: "me",
});
const json = (status: number, body: unknown) =>
  new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json" },
  });
const FUTURE = "2999-01-01T00:00:00Z";
const PAST = "2020-01-01T00:00:00Z";

describe("InvitationList", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    useAuthStore.setState({ accessToken: "t", status: "authenticated" });
  });
  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
    useToastStore.setState({ toasts: [] });
  });

  const calls = () =>
    fetchMock.mock.calls.map(([input]) => {
      const request = input as Request;
      return `${request.method} ${new URL(request.url).pathname}`;
    });
  const toasts = () => useToastStore.getState().toasts.map((toast) => toast.message);

  it("resends and revokes; marks expired ones; an admin cannot touch an owner's", async () => {
    fetchMock
      .mockResolvedValueOnce(
        json(200, {
          items: [
            invitation("i1", "editor", PAST),
            invitation("i2", "viewer", FUTURE),
            invitation("i3", "owner", FUTURE),
          ],
          next_cursor: null,
        }),
      )
      .mockResolvedValueOnce(json(200, invitation("i1", "editor", FUTURE)))
      .mockResolvedValueOnce(new Response(null, { status: 204 }));
    render(<InvitationList organization={organization} />);

    const rows = await screen.findAllByTestId("invitation-row");
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getByText("Expired")).toBeInTheDocument();
    expect(within(rows[1]!).queryByText("Expired")).toBeNull();
    expect(within(rows[2]!).queryByRole("button")).toBeNull();

    await userEvent.click(
      screen.getByRole("button", { name: "Resend the invitation to i1@example.com" }),
    );
    await waitFor(() => expect(toasts()).toContain("Invitation sent again to i1@example.com."));
    expect(calls()).toContain("POST /api/orgs/o1/invitations/i1/resend");
    await waitFor(() => expect(within(rows[0]!).queryByText("Expired")).toBeNull());

    await userEvent.click(
      screen.getByRole("button", { name: "Revoke the invitation to i2@example.com" }),
    );
    await userEvent.click(screen.getByRole("button", { name: "Revoke invitation" }));
    await waitFor(() => expect(screen.getAllByTestId("invitation-row")).toHaveLength(2));
    expect(calls()).toContain("DELETE /api/orgs/o1/invitations/i2");
    expect(toasts()).toContain("Invitation revoked.");
  });

  it("shows a failed revoke and keeps the invitation", async () => {
    fetchMock
      .mockResolvedValueOnce(
        json(200, { items: [invitation("i1", "editor", FUTURE)], next_cursor: null }),
      )
      .mockResolvedValueOnce(
        json(409, {
          type: "https://sift.dev/problems/invitation-already-accepted",
          title: "Invitation already accepted",
          status: 409,
          detail: "This invitation was accepted; the person is a member now.",
        }),
      );
    render(<InvitationList organization={organization} />);
    await screen.findByTestId("invitation-row");
    await userEvent.click(screen.getByRole("button", { name: /Revoke the invitation/ }));
    await userEvent.click(screen.getByRole("button", { name: "Revoke invitation" }));
    await waitFor(() =>
      expect(toasts()).toContain("This invitation was accepted; the person is a member now."),
    );
    expect(screen.getAllByTestId("invitation-row")).toHaveLength(1);
  });
});
