import { describe, expect, it } from "vitest";
import { sanitizeMail, sanitizeSnippet } from "./sanitize";

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

describe("sanitizeMail", () => {
  const here = window.location.origin;

  it("keeps the text, tables, inline styles and links of a mail", () => {
    const clean = sanitizeMail(
      `<table role="presentation" width="100%" cellpadding="0"><tr><td style="padding:4px"><h1>Hi</h1><a href="${here}/verify-email?token=t">Confirm</a></td></tr></table>`,
    );
    expect(clean).toContain('<table role="presentation" width="100%" cellpadding="0">');
    expect(clean).toContain('<td style="padding:4px">');
    expect(clean).toContain(`<a href="${here}/verify-email?token=t">Confirm</a>`);
    expect(clean).toContain("<h1>Hi</h1>");
  });

  it("drops scripts, handlers, styles, images, forms, frames and script links", () => {
    const clean = sanitizeMail(
      '<style>body{display:none}</style><script>alert(1)</script><img src="https://tracker.example/p.gif" onerror="alert(2)"><p onclick="x()">text</p><form action="/x"><input name="a"></form><iframe src="https://evil.example"></iframe><a href="javascript:alert(3)">bad</a>',
    );
    expect(clean).toBe("<p>text</p><a>bad</a>");
  });

  it("opens links elsewhere in a new tab, without telling them where from", () => {
    expect(sanitizeMail('<a href="https://elsewhere.example/">out</a>')).toBe(
      '<a href="https://elsewhere.example/" target="_blank" rel="noopener noreferrer">out</a>',
    );
  });

  it("leaves search snippets to their own rules", () => {
    sanitizeMail('<a href="https://elsewhere.example/">out</a>');
    expect(sanitizeSnippet('<a href="https://elsewhere.example/">x</a><mark>y</mark>')).toBe(
      "x<mark>y</mark>",
    );
  });
});
