import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The gateway terminates TLS and compresses; Next.js only renders.
  compress: false,
};

export default nextConfig;
