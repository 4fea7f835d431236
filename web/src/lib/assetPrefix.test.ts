import { describe, expect, it } from "vitest";
import { assetOrigin, assetPrefix } from "./assetPrefix";

describe("assetPrefix", () => {
  it("is unset unless configured", () => {
    expect(assetPrefix(undefined)).toBeUndefined();
    expect(assetPrefix("  ")).toBeUndefined();
  });

  it("takes an HTTPS origin or path, without a trailing slash", () => {
    expect(assetPrefix("https://cdn.example.org/")).toBe("https://cdn.example.org");
    expect(assetPrefix("https://cdn.example.org/sift")).toBe("https://cdn.example.org/sift");
    expect(assetOrigin("https://cdn.example.org/sift")).toBe("https://cdn.example.org");
    expect(assetOrigin(undefined)).toBeUndefined();
  });

  it("refuses what a browser could not load from an HTTPS page, or should not", () => {
    for (const bad of [
      "cdn.example.org",
      "/static",
      "http://cdn.example.org",
      "https://user:secret@cdn.example.org",
      "https://cdn.example.org/?v=1",
    ])
      expect(() => assetPrefix(bad), bad).toThrow(/SIFT_WEB_ASSET_PREFIX/);
  });
});
