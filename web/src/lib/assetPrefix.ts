/**
 * Where browsers load the built assets (`/_next/static/...`) from: `SIFT_WEB_ASSET_PREFIX`,
 * read when the app is built (next.config.ts), such as `https://cdn.example.org` for a CDN
 * host whose origin is the gateway. Unset: the page's own origin, which suits a CDN that
 * proxies the whole site (Cloudflare, docs/operations.md). HTTPS only: a page served over
 * HTTPS cannot load scripts over HTTP.
 */
export function assetPrefix(value: string | undefined): string | undefined {
  const prefix = value?.trim().replace(/\/+$/, "");
  if (!prefix) return undefined;
  let url: URL;
  try {
    url = new URL(prefix);
  } catch {
    throw new Error(`SIFT_WEB_ASSET_PREFIX is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "https:" || url.username || url.password || url.search || url.hash) {
    throw new Error(
      `SIFT_WEB_ASSET_PREFIX must be https://host[/path], without credentials, query or fragment: ${JSON.stringify(value)}`,
    );
  }
  return prefix;
}

/** The prefix's origin, which the Content-Security-Policy allows styles and images from. */
export function assetOrigin(prefix: string | undefined): string | undefined {
  return prefix ? new URL(prefix).origin : undefined;
}
