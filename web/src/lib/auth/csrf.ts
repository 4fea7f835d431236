export const CSRF_COOKIE = "sift_csrf";

/** The double-submit value the server set beside the refresh cookie. */
export function readCsrfToken(
  cookie: string = typeof document === "undefined" ? "" : document.cookie,
): string | null {
  for (const part of cookie.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join("="));
  }
  return null;
}
