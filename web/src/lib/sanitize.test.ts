import { describe, expect, it } from "vitest";
import { sanitizeSnippet } from "./sanitize";

describe("sanitizeSnippet", () => {
  it("keeps the highlights", () => {
    expect(sanitizeSnippet("the <mark>analytical</mark> engine")).toBe(
      "the <mark>analytical</mark> engine",
    );
  });

  it("drops scripts, handlers and every other tag", () => {
    const dirty =
      '<img src=x onerror="alert(1)"><script>alert(2)</script><mark onclick="x()">hit</mark> <b>bold</b> <a href="javascript:alert(3)">link</a>';
    const clean = sanitizeSnippet(dirty);
    expect(clean).toBe("<mark>hit</mark> bold link");
    expect(clean).not.toMatch(/onerror|onclick|script|javascript|<img|<a|<b>/);
  });

  it("leaves escaped text escaped", () => {
    expect(sanitizeSnippet("a &lt;script&gt; tag")).toBe("a &lt;script&gt; tag");
  });
});
