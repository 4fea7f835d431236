import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy } from "@/lib/csp";
import { reportingOrigin } from "@/lib/errorReporting";

/**
 * A fresh nonce per request, in the CSP of the response and in the request's headers:
 * Next.js reads it from there and puts it on its own scripts; the root layout reads
 * `x-nonce` for ours.
 */
export function middleware(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const policy = contentSecurityPolicy(nonce, {
    development: process.env.NODE_ENV !== "production",
    analytics: Boolean(process.env.SIFT_WEB_GA_ID),
    assetOrigin: process.env.SIFT_WEB_ASSET_ORIGIN || undefined,
    reporting: reportingOrigin(process.env.SIFT_SENTRY_DSN),
  });
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  // Node.js, not the edge runtime: the analytics setting is read when the server runs.
  runtime: "nodejs",
  matcher: [
    {
      source: "/((?!_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
