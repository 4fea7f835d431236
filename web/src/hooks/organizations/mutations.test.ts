import { act, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { cancelScheduledRefresh } from "@/lib/api/session";
import { useAuthStore } from "@/stores/auth";
import {
  currentOrganization,
  useOrganizationStore,
  type Organization,
} from "@/stores/organizations";
import { renderHookWithQuery, testQueryClient } from "@/test/query";
import { collectionKeys } from "../collections/keys";
import { organizationKeys } from "./keys";
import { useSwitchOrganization } from "./mutations";

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

describe("useSwitchOrganization", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    cancelScheduledRefresh();
    useOrganizationStore.setState({ generation: 0 });
  });

  it("takes the new access token, marks the new current organization, forgets the old one's data and remounts the page", async () => {
    useAuthStore.setState({ accessToken: "token-a", status: "authenticated" });
    const client = testQueryClient();
    client.setQueryData(organizationKeys.list(), [org("a", true), org("b")]);
    client.setQueryData(collectionKeys.list(), [{ id: "c-of-a" }]);
    const fetchMock = vi
      .fn<typeof fetch>()
      .mockResolvedValue(
        json({ access_token: "token-b", expires_in: 900, organization: org("b", true) }),
      );
    vi.stubGlobal("fetch", fetchMock);

    const { result } = renderHookWithQuery(() => useSwitchOrganization(), client);
    await act(() => result.current.mutateAsync("b"));

    const request = fetchMock.mock.calls[0]?.[0] as Request;
    expect(new URL(request.url).pathname).toBe("/api/orgs/b/switch");
    expect(request.headers.get("Authorization")).toBe("Bearer token-a");
    expect(useAuthStore.getState().accessToken).toBe("token-b");
    const organizations = client.getQueryData<Organization[]>(organizationKeys.list());
    expect(currentOrganization(organizations)?.id).toBe("b");
    expect(organizations?.filter((item) => item.current)).toHaveLength(1);
    expect(client.getQueryData(collectionKeys.list())).toBeUndefined();
    await waitFor(() => expect(useOrganizationStore.getState().generation).toBe(1));
  });
});
