import { describe, expect, it } from "vitest";
import { appPath } from "./links";

describe("appPath", () => {
  const origin = "https://sift.example:8443";

  it("keeps a path and turns a same-origin URL into one", () => {
    expect(appPath("/documents/d1", origin)).toBe("/documents/d1");
    expect(appPath("https://sift.example:8443/verify-email?token=abc#x", origin)).toBe(
      "/verify-email?token=abc#x",
    );
  });

  it("leaves links elsewhere (another host, port or scheme) to the browser", () => {
    expect(appPath("https://sift.example/verify-email?token=abc", origin)).toBeNull();
    expect(appPath("https://evil.example/", origin)).toBeNull();
    expect(appPath("//evil.example/path", origin)).toBeNull();
    expect(appPath("/\\evil.example", origin)).toBeNull();
    expect(appPath("javascript:alert(1)", origin)).toBeNull();
    expect(appPath("not a url", origin)).toBeNull();
  });
});
