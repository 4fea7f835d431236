import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import type { Organization } from "@/stores/organizations";
import { renderWithQuery as render } from "@/test/query";
import { DeleteOrganizationCard, OrganizationDeletionProgress } from "./DeleteOrganizationCard";

const team: Organization = {
  id: "team",
  name: "Harbour team",
  personal: false,
  role: "owner",
  current: true,
  created_at: "2026-01-01T00:00:00Z",
};
const personal: Organization = { ...team, id: "mine", name: "My workspace", personal: true };
const json = (status: number, body: unknown, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

describe("DeleteOrganizationCard", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    useAuthStore.setState({ accessToken: "t", status: "authenticated" });
  });
  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
  });

  const calls = () =>
    fetchMock.mock.calls.map(([input]) => {
      const request = input as Request;
      return `${request.method} ${new URL(request.url).pathname}`;
    });

  it("shows the consequences, confirms the password, then moves to another organization", async () => {
    let body: unknown = null;
    fetchMock.mockImplementation(async (input) => {
      const request = input as Request;
      const route = `${request.method} ${new URL(request.url).pathname}`;
      if (route === "GET /api/auth/mfa")
        return json(200, { totp: false, sms: false, recovery_codes_left: 0, phone_number: null });
      if (route === "DELETE /api/orgs/team") {
        body = await request.json();
        return json(202, { id: "req1", status: "pending" });
      }
      if (route === "GET /api/orgs") return json(200, { items: [personal] });
      if (route === "POST /api/orgs/mine/switch")
        return json(200, {
          access_token: "t2",
          token_type: "bearer",
          expires_in: 600,
          organization: personal,
        });
      return json(404, { title: "Not found" }, "application/problem+json");
    });
    const onDeleted = vi.fn();
    render(<DeleteOrganizationCard organization={team} onDeleted={onDeleted} />);
    expect(screen.getByText(/cannot be undone/)).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Delete organization…" }));
    await userEvent.type(screen.getByLabelText("Password"), "correct horse");
    await userEvent.click(screen.getByRole("button", { name: "Delete organization" }));

    await waitFor(() => expect(onDeleted).toHaveBeenCalledWith("req1"));
    expect(body).toEqual({ password: "correct horse", mfa_code: null });
    expect(calls()).toContain("POST /api/orgs/mine/switch");
  });

  it("says why a wrong password is refused, and stays", async () => {
    fetchMock.mockImplementation(async (input) => {
      const request = input as Request;
      if (new URL(request.url).pathname === "/api/auth/mfa")
        return json(200, { totp: true, sms: false, recovery_codes_left: 8, phone_number: null });
      return json(
        401,
        { title: "Re-authentication failed", status: 401, detail: "The password is not correct." },
        "application/problem+json",
      );
    });
    const onDeleted = vi.fn();
    render(<DeleteOrganizationCard organization={team} onDeleted={onDeleted} />);
    await userEvent.click(screen.getByRole("button", { name: "Delete organization…" }));
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.type(await screen.findByLabelText(/Two-step code/), "123456");
    await userEvent.click(screen.getByRole("button", { name: "Delete organization" }));
    expect(await screen.findByText("The password is not correct.")).toBeInTheDocument();
    expect(onDeleted).not.toHaveBeenCalled();
  });

  it("shows each service's progress", async () => {
    fetchMock.mockResolvedValue(
      json(200, {
        id: "req1",
        kind: "organization_erasure",
        status: "pending",
        services: { identity: "pending", documents: "done" },
        created_at: "2026-01-01T00:00:00Z",
      }),
    );
    render(<OrganizationDeletionProgress requestId="req1" />);
    const parts = await screen.findAllByTestId("deletion-part");
    expect(parts.map((part) => part.textContent)).toEqual([
      "Collections, documents and filesDeleted",
      "Members, invitations, API keysWaiting",
    ]);
  });
});
