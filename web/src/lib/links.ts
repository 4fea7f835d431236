/**
 * The in-app path of a link (`/documents/1`, or an absolute URL on this origin, as mailed
 * links are), or null for a link elsewhere, which opens in a new tab instead.
 */
export function appPath(link: string, origin: string = window.location.origin): string | null {
  if (link.startsWith("/") && !link.startsWith("//") && !link.startsWith("/\\")) return link;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  return url.origin === origin ? url.pathname + url.search + url.hash : null;
}
