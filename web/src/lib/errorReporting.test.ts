import { describe, expect, it } from "vitest";
import { reportingConfig, reportingOrigin, scrubEvent } from "./errorReporting";

const JWT = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl";

describe("error reporting", () => {
  it("is off without a DSN", () => {
    expect(reportingConfig({})).toBeNull();
    expect(reportingOrigin(undefined)).toBeUndefined();
  });

  it("takes the services' settings", () => {
    const config = reportingConfig({
      SIFT_SENTRY_DSN: "https://key@o1.ingest.sentry.io/42",
      SIFT_ENV: "production",
    });
    expect(config).toEqual({
      dsn: "https://key@o1.ingest.sentry.io/42",
      environment: "production",
      release: undefined,
    });
    expect(reportingOrigin(config?.dsn)).toBe("https://o1.ingest.sentry.io");
  });

  it("drops credentials and replaces e-mail addresses and tokens", () => {
    const event = scrubEvent({
      message: `no account for ada@example.com with Bearer ${JWT}`,
      user: { email: "ada@example.com" },
      request: {
        url: "https://sift.example/documents/1?token=secret",
        cookies: { sift_refresh: "r" },
        data: { email: "ada@example.com" },
        headers: { Authorization: `Bearer ${JWT}`, Cookie: "a=b", "User-Agent": "ua" },
      },
      breadcrumbs: [{ message: `fetch with ${JWT}` }],
    });
    expect(event).toEqual({
      message: "no account for [email] with [token]",
      request: { url: "https://sift.example/documents/1", headers: { "User-Agent": "ua" } },
      breadcrumbs: [{ message: "fetch with [token]" }],
    });
  });
});
