import { afterEach, describe, expect, it, vi } from "vitest";
import { cancelScheduledRefresh } from "@/lib/auth/session";
import { useAuthStore } from "./auth";
import { currentOrganization, useOrganizationStore, type Organization } from "./organizations";

const org = (id: string, current = false): Organization => ({
  id,
  name: `Org ${id}`,
  personal: false,
  role: "admin",
  current,
  created_at: "2026-01-01T00:00:00Z",
});

const json = (body: unknown) =>
  new Response(JSON.stringify(body), {
    status: 200,
    headers: { "content-type": "application/json" },
  });

describe("organization switching", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    cancelScheduledRefresh();
    useOrganizationStore.setState({ organizations: null, generation: 0 });
  });

  it("takes the new access token, marks the new current organization and remounts the page", async () => {
    useAuthStore.setState({ accessToken: "token-a", status: "authenticated" });
    useOrganizationStore.setState({ organizations: [org("a", true), org("b")], generation: 0 });
    const fetchMock = vi
      .fn<typeof fetch>()
      .mockResolvedValue(
        json({ access_token: "token-b", expires_in: 900, organization: org("b", true) }),
      );
    vi.stubGlobal("fetch", fetchMock);

    await useOrganizationStore.getState().switchTo("b");

    const request = fetchMock.mock.calls[0]?.[0] as Request;
    expect(new URL(request.url).pathname).toBe("/api/orgs/b/switch");
    expect(request.headers.get("Authorization")).toBe("Bearer token-a");
    expect(useAuthStore.getState().accessToken).toBe("token-b");
    const state = useOrganizationStore.getState();
    expect(currentOrganization(state.organizations)?.id).toBe("b");
    expect(state.organizations?.filter((item) => item.current)).toHaveLength(1);
    expect(state.generation).toBe(1);
  });
});
