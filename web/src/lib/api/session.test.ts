import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuthStore } from "@/stores/auth";
import {
  acceptToken,
  cancelScheduledRefresh,
  REFRESH_LEAD_MS,
  REFRESH_LOCK,
  refreshAccessToken,
  RETRY_WITHOUT_HINT_MS,
} from "./session";

describe("silent refresh before expiry", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    document.cookie = "sift_csrf=csrf-value; path=/";
  });

  afterEach(() => {
    cancelScheduledRefresh();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("renews the token a minute before it expires, through the cookie", async () => {
    const fetchMock = vi.fn<typeof fetch>().mockResolvedValue(
      new Response(JSON.stringify({ access_token: "second", expires_in: 600 }), {
        status: 200,
        headers: { "content-type": "application/json" },
      }),
    );
    vi.stubGlobal("fetch", fetchMock);
    acceptToken("first", 600);
    expect(useAuthStore.getState().accessToken).toBe("first");

    await vi.advanceTimersByTimeAsync(600_000 - REFRESH_LEAD_MS - 1);
    expect(fetchMock).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchMock).toHaveBeenCalledWith("/api/auth/refresh", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": "csrf-value" },
    });
    await vi.waitFor(() => expect(useAuthStore.getState().accessToken).toBe("second"));
  });

  it("renews a short-lived token at three quarters of its life", async () => {
    const fetchMock = vi.fn<typeof fetch>().mockResolvedValue(
      new Response(JSON.stringify({ access_token: "second", expires_in: 60 }), {
        status: 200,
        headers: { "content-type": "application/json" },
      }),
    );
    vi.stubGlobal("fetch", fetchMock);
    acceptToken("first", 60);

    await vi.advanceTimersByTimeAsync(45_000 - 1);
    expect(fetchMock).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(useAuthStore.getState().accessToken).toBe("second"));
  });
});

describe("a renewal the server cannot answer now", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    document.cookie = "sift_csrf=csrf-value; path=/";
    useAuthStore.getState().clear();
    useAuthStore.setState({ status: "unknown" });
  });

  afterEach(() => {
    cancelScheduledRefresh();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  const renewed = () =>
    new Response(JSON.stringify({ access_token: "fresh", expires_in: 600 }), {
      status: 200,
      headers: { "content-type": "application/json" },
    });

  it("keeps the session on a 429 and asks again when Retry-After says", async () => {
    const fetchMock = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(new Response("{}", { status: 429, headers: { "Retry-After": "7" } }))
      .mockResolvedValueOnce(renewed());
    vi.stubGlobal("fetch", fetchMock);

    await expect(refreshAccessToken()).resolves.toBeNull();
    expect(useAuthStore.getState().status).toBe("unknown"); // not sent to sign in
    await vi.advanceTimersByTimeAsync(7_000 - 1);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(useAuthStore.getState().accessToken).toBe("fresh"));
    expect(useAuthStore.getState().status).toBe("authenticated");
  });

  it("keeps the session on a 503 without a hint and tries again shortly", async () => {
    const fetchMock = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(new Response("{}", { status: 503 }))
      .mockResolvedValueOnce(renewed());
    vi.stubGlobal("fetch", fetchMock);

    await expect(refreshAccessToken()).resolves.toBeNull();
    expect(useAuthStore.getState().status).toBe("unknown");
    await vi.advanceTimersByTimeAsync(RETRY_WITHOUT_HINT_MS);
    await vi.waitFor(() => expect(useAuthStore.getState().status).toBe("authenticated"));
  });

  it("signs out on a 401: the refresh cookie is no longer valid", async () => {
    const fetchMock = vi.fn<typeof fetch>().mockResolvedValue(new Response("{}", { status: 401 }));
    vi.stubGlobal("fetch", fetchMock);

    await expect(refreshAccessToken()).resolves.toBeNull();
    expect(useAuthStore.getState().status).toBe("anonymous");
    await vi.advanceTimersByTimeAsync(RETRY_WITHOUT_HINT_MS * 20);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});

describe("renewal across tabs", () => {
  beforeEach(() => {
    document.cookie = "sift_csrf=csrf-value; path=/";
  });

  afterEach(() => {
    cancelScheduledRefresh();
    vi.unstubAllGlobals();
    Reflect.deleteProperty(navigator, "locks");
  });

  it("waits while another tab holds the renewal lock, then renews with the cookie it left", async () => {
    let releaseOtherTab = () => {};
    const otherTab = new Promise<void>((resolve) => {
      releaseOtherTab = resolve;
    });
    const request = vi.fn((_name: string, work: () => Promise<unknown>) => otherTab.then(work));
    Object.defineProperty(navigator, "locks", { value: { request }, configurable: true });
    const fetchMock = vi.fn<typeof fetch>().mockResolvedValue(
      new Response(JSON.stringify({ access_token: "mine", expires_in: 600 }), {
        status: 200,
        headers: { "content-type": "application/json" },
      }),
    );
    vi.stubGlobal("fetch", fetchMock);

    const renewed = refreshAccessToken();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(request).toHaveBeenCalledWith(REFRESH_LOCK, expect.any(Function));
    expect(fetchMock).not.toHaveBeenCalled();

    releaseOtherTab();
    await expect(renewed).resolves.toBe("mine");
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
