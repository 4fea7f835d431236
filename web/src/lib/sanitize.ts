import DOMPurify from "dompurify";

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * A search snippet as safe HTML: only `<mark>` survives (no attributes); everything else
 * is text. The server escapes already; this holds even if it ever did not.
 */
export function sanitizeSnippet(html: string): string {
  if (typeof window === "undefined") return escapeHtml(html.replace(/<\/?mark>/g, ""));
  return DOMPurify.sanitize(html, { ALLOWED_TAGS: ["mark"], ALLOWED_ATTR: [] });
}

// Mail is laid out with tables and inline styles (a container with `contain: content`
// keeps any positioning inside it); no images (they would be fetched from elsewhere),
// forms, frames or scripts.
const MAIL_TAGS = [
  "a",
  "b",
  "blockquote",
  "br",
  "code",
  "div",
  "em",
  "h1",
  "h2",
  "h3",
  "h4",
  "hr",
  "i",
  "li",
  "ol",
  "p",
  "pre",
  "small",
  "span",
  "strong",
  "table",
  "tbody",
  "td",
  "tfoot",
  "th",
  "thead",
  "tr",
  "u",
  "ul",
];
// The table layout of mail: plain values, never URLs.
const MAIL_LAYOUT_ATTRIBUTES = [
  "align",
  "valign",
  "width",
  "height",
  "border",
  "cellpadding",
  "cellspacing",
  "bgcolor",
  "colspan",
  "rowspan",
];
const MAIL_ATTRIBUTES = ["href", "title", "style", "role", ...MAIL_LAYOUT_ATTRIBUTES];

let mailPurifier: ReturnType<typeof DOMPurify> | null = null;

function purifier(): ReturnType<typeof DOMPurify> {
  if (mailPurifier) return mailPurifier;
  // Its own instance: the hook must not touch search snippets.
  const instance = DOMPurify(window);
  instance.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName !== "A") return;
    const href = node.getAttribute("href") ?? "";
    let external = true;
    try {
      external = new URL(href, window.location.href).origin !== window.location.origin;
    } catch {
      node.removeAttribute("href");
    }
    if (external) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
  });
  mailPurifier = instance;
  return instance;
}

/**
 * A captured mail's HTML as safe markup: text, tables and links (http, https, mailto);
 * links elsewhere open in a new tab. Nothing runs; nothing is rendered on the server.
 */
export function sanitizeMail(html: string): string {
  if (typeof window === "undefined") return "";
  return purifier().sanitize(html, {
    ALLOWED_TAGS: MAIL_TAGS,
    ALLOWED_ATTR: MAIL_ATTRIBUTES,
    // Only links are checked against it: layout values are no URLs.
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|\/(?!\/))/i,
    ADD_URI_SAFE_ATTR: MAIL_LAYOUT_ATTRIBUTES,
  });
}
