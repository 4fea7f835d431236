import type { NextConfig } from "next";
import { assetOrigin, assetPrefix } from "./src/lib/assetPrefix";

// Read at build time: the asset URLs are written into the built pages and chunks.
const prefix = assetPrefix(process.env.SIFT_WEB_ASSET_PREFIX);

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The gateway terminates TLS and compresses; Next.js only renders.
  compress: false,
  // scripts/test.sh (and CI) lint and type-check before anything is built; `sift up`'s
  // build only compiles, which halves its time on a small machine.
  eslint: { ignoreDuringBuilds: true },
  typescript: { ignoreBuildErrors: true },
  // The web image (web/Dockerfile) runs the self-contained server Next.js writes to
  // .next/standalone; `sift up` keeps `next start`, which refuses that output.
  output: process.env.SIFT_WEB_OUTPUT === "standalone" ? "standalone" : undefined,
  assetPrefix: prefix,
  // Built into the middleware too, so its Content-Security-Policy admits the asset host
  // the pages were built for, whatever the server's environment says later.
  env: { SIFT_WEB_ASSET_ORIGIN: assetOrigin(prefix) ?? "" },
};

export default nextConfig;
