import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import { cancelScheduledRefresh } from "@/lib/api/session";
import { readCsrfToken } from "@/lib/auth/csrf";
import { api, authFetch, unwrap } from "./client";
import { ApiError } from "./problem";

const json = (status: number, body: unknown, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

describe("authFetch", () => {
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    document.cookie = "sift_csrf=csrf-value; path=/";
    useAuthStore.setState({ accessToken: "old-token", status: "authenticated", user: null });
  });

  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
    cancelScheduledRefresh();
    document.cookie = "sift_csrf=; max-age=0; path=/";
  });

  const calls = () => fetchMock.mock.calls.map(([input]) => input as Request | string);

  it("sends the in-memory access token", async () => {
    fetchMock.mockResolvedValueOnce(json(200, { items: [] }));
    await authFetch(new Request("http://localhost/api/collections"));
    const [request] = calls();
    expect((request as Request).headers.get("Authorization")).toBe("Bearer old-token");
  });

  it("refreshes once on 401 with the CSRF header, then replays with the new token", async () => {
    fetchMock
      .mockResolvedValueOnce(
        json(401, { title: "Unauthorized", status: 401 }, "application/problem+json"),
      )
      .mockResolvedValueOnce(json(200, { access_token: "new-token", expires_in: 600 }))
      .mockResolvedValueOnce(json(201, { id: "c1" }));
    const response = await authFetch(
      new Request("http://localhost/api/collections", {
        method: "POST",
        body: JSON.stringify({ name: "A" }),
      }),
    );
    expect(response.status).toBe(201);
    const [, refresh, replay] = fetchMock.mock.calls;
    expect(refresh?.[0]).toBe("/api/auth/refresh");
    expect((refresh?.[1]?.headers as Record<string, string>)["X-CSRF-Token"]).toBe("csrf-value");
    const replayed = replay?.[0] as Request;
    expect(replayed.headers.get("Authorization")).toBe("Bearer new-token");
    expect(await replayed.text()).toBe(JSON.stringify({ name: "A" }));
    expect(useAuthStore.getState().accessToken).toBe("new-token");
  });

  it("shares one refresh between concurrent 401s (the server rotates the token)", async () => {
    fetchMock.mockImplementation(async (input) => {
      if (input === "/api/auth/refresh")
        return json(200, { access_token: "new-token", expires_in: 600 });
      const request = input as Request;
      return request.headers.get("Authorization") === "Bearer new-token"
        ? json(200, {})
        : json(401, {});
    });
    const results = await Promise.all([
      authFetch(new Request("http://localhost/api/collections")),
      authFetch(new Request("http://localhost/api/documents")),
    ]);
    expect(results.map((response) => response.status)).toEqual([200, 200]);
    expect(calls().filter((input) => input === "/api/auth/refresh")).toHaveLength(1);
  });

  it("ends the session when the refresh is refused", async () => {
    fetchMock.mockResolvedValueOnce(json(401, {})).mockResolvedValueOnce(json(401, {}));
    const response = await authFetch(new Request("http://localhost/api/collections"));
    expect(response.status).toBe(401);
    expect(useAuthStore.getState().status).toBe("anonymous");
    expect(useAuthStore.getState().accessToken).toBeNull();
  });

  it("does not retry the sign-in call itself", async () => {
    fetchMock.mockResolvedValueOnce(json(401, { title: "Invalid credentials" }));
    const response = await authFetch(
      new Request("http://localhost/api/auth/login", { method: "POST" }),
    );
    expect(response.status).toBe(401);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("unwraps a problem into an ApiError through the generated client", async () => {
    fetchMock.mockResolvedValueOnce(
      json(
        409,
        { title: "Conflict", status: 409, detail: "A collection has that name." },
        "application/problem+json",
      ),
    );
    const failure = unwrap(
      api.POST("/api/collections", {
        body: {
          name: "A",
          description: "",
          visibility: "org",
          redact_pii: false,
          keep_original_files: true,
        },
      }),
    );
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toThrow("A collection has that name.");
  });
});

describe("readCsrfToken", () => {
  it("finds the cookie among others", () => {
    expect(readCsrfToken("a=1; sift_csrf=abc%3D; b=2")).toBe("abc=");
    expect(readCsrfToken("a=1")).toBeNull();
  });
});
