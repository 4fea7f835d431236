/**
 * The Content-Security-Policy of every page. Scripts run only with this response's nonce
 * ('strict-dynamic' lets them load their chunks); no 'unsafe-eval' outside development
 * (React's dev tooling needs it). Styles allow inline attributes: React and Radix set
 * `style=` for positioning, which carries no script.
 */
export function contentSecurityPolicy(
  nonce: string,
  {
    development = false,
    analytics = false,
    assetOrigin,
    reporting,
  }: { development?: boolean; analytics?: boolean; assetOrigin?: string; reporting?: string } = {},
): string {
  // The built assets' host (SIFT_WEB_ASSET_PREFIX) when it is not this origin.
  const assets = assetOrigin ? [assetOrigin] : [];
  const google = analytics
    ? [
        "https://www.googletagmanager.com",
        "https://*.google-analytics.com",
        "https://*.analytics.google.com",
      ]
    : [];
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": [
      "'self'",
      ...assets,
      `'nonce-${nonce}'`,
      "'strict-dynamic'",
      ...(development ? ["'unsafe-eval'"] : []),
    ],
    "style-src": ["'self'", ...assets, "'unsafe-inline'"],
    "img-src": ["'self'", ...assets, "data:", "blob:", ...google],
    "font-src": ["'self'", ...assets],
    "connect-src": [
      "'self'",
      ...google,
      ...(reporting ? [reporting] : []), // Sentry's ingest host, when it is configured
      ...(development ? ["ws:"] : []),
    ],
    "frame-src": ["'none'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}
