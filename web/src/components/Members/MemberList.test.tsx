import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import type { Organization } from "@/stores/organizations";
import { useToastStore } from "@/stores/toast";
import { MemberList } from "./MemberList";
import { renderWithQuery as render } from "@/test/query";

const organization: Organization = {
  id: "o1",
  name: "Analytical Engines",
  personal: false,
  role: "admin",
  current: true,
  created_at: "2026-01-01T00:00:00Z",
};
const member = (id: string, name: string, role: string) => ({
  user_id: id,
  name,
  email: `${id}@example.com`,
  role,
  joined_at: "2026-01-02T00:00:00Z",
});
const json = (status: number, body: unknown, type = "application/json") =>
  new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": type },
  });

describe("MemberList", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    useAuthStore.setState({
      accessToken: "t",
      status: "authenticated",
      user: { id: "me", name: "Me", email: "me@example.com", email_verified: true, created_at: "" },
    });
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

  it("changes a role and removes a member after confirming; an admin cannot touch owners", async () => {
    fetchMock
      .mockResolvedValueOnce(
        json(200, {
          items: [
            member("me", "Me", "admin"),
            member("u2", "Charles", "viewer"),
            member("u3", "Olive Owner", "owner"),
          ],
          next_cursor: null,
        }),
      )
      .mockResolvedValueOnce(json(200, member("u2", "Charles", "editor")))
      .mockResolvedValueOnce(new Response(null, { status: 204 }));
    render(<MemberList organization={organization} />);

    const rows = await screen.findAllByTestId("member-row");
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getByText("You")).toBeInTheDocument();
    expect(within(rows[0]!).queryByRole("combobox")).toBeNull(); // not oneself
    expect(within(rows[2]!).queryByRole("combobox")).toBeNull(); // not an owner, as an admin
    expect(within(rows[2]!).getByText("Owner")).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText("Role of Charles"), "editor");
    await waitFor(() => expect(calls()).toContain("PATCH /api/orgs/o1/members/u2"));
    await waitFor(() =>
      expect(useToastStore.getState().toasts.map((toast) => toast.message)).toContain(
        "Charles is now editor.",
      ),
    );

    await userEvent.click(screen.getByRole("button", { name: "Remove Charles" }));
    await userEvent.click(screen.getByRole("button", { name: "Remove member" }));
    await waitFor(() => expect(screen.getAllByTestId("member-row")).toHaveLength(2));
    expect(calls()).toContain("DELETE /api/orgs/o1/members/u2");
  });

  it("shows a refusal as a readable toast", async () => {
    fetchMock
      .mockResolvedValueOnce(
        json(200, { items: [member("u2", "Charles", "viewer")], next_cursor: null }),
      )
      .mockResolvedValueOnce(
        json(
          403,
          {
            type: "about:blank",
            title: "Forbidden",
            status: 403,
            detail: "Only owners can do that.",
          },
          "application/problem+json",
        ),
      );
    render(<MemberList organization={organization} />);
    await userEvent.selectOptions(await screen.findByLabelText("Role of Charles"), "admin");
    await waitFor(() =>
      expect(useToastStore.getState().toasts[0]?.message).toBe("Only owners can do that."),
    );
    // The select shows the role the member still has.
    expect(screen.getByLabelText("Role of Charles")).toHaveValue("viewer");
  });
});
