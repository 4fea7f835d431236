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
