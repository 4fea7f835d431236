import { describe, expect, it } from "vitest";
import { contentSecurityPolicy } from "./csp";

const directive = (policy: string, name: string) =>
  policy.split("; ").find((part) => part.startsWith(`${name} `));

describe("contentSecurityPolicy", () => {
  it("allows only nonce'd scripts and never eval in production", () => {
    const policy = contentSecurityPolicy("n0nce");
    expect(directive(policy, "script-src")).toBe(
      "script-src 'self' 'nonce-n0nce' 'strict-dynamic'",
    );
    expect(policy).not.toContain("unsafe-eval");
    expect(directive(policy, "object-src")).toBe("object-src 'none'");
    expect(directive(policy, "frame-ancestors")).toBe("frame-ancestors 'none'");
    expect(policy).not.toContain("google");
  });

  it("lets Google Analytics in only when it is configured", () => {
    const policy = contentSecurityPolicy("n", { analytics: true });
    expect(directive(policy, "connect-src")).toContain("https://*.google-analytics.com");
  });

  it("admits the built assets' host, when they have one, for scripts, styles and images", () => {
    const policy = contentSecurityPolicy("n", { assetOrigin: "https://cdn.example.org" });
    for (const name of ["script-src", "style-src", "img-src", "font-src"])
      expect(directive(policy, name)).toContain("https://cdn.example.org");
    expect(directive(policy, "connect-src")).toBe("connect-src 'self'");
    expect(contentSecurityPolicy("n")).not.toContain("cdn.example.org");
  });

  it("lets the browser reach Sentry only when it is configured", () => {
    expect(directive(contentSecurityPolicy("n"), "connect-src")).toBe("connect-src 'self'");
    const policy = contentSecurityPolicy("n", { reporting: "https://o1.ingest.sentry.io" });
    expect(directive(policy, "connect-src")).toBe("connect-src 'self' https://o1.ingest.sentry.io");
  });

  it("allows eval in development only", () => {
    expect(contentSecurityPolicy("n", { development: true })).toContain("'unsafe-eval'");
  });
});
