import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { Analytics } from "@/components/Analytics/Analytics";
import { ErrorReporting } from "@/components/ErrorReporting/ErrorReporting";
import { QueryProvider } from "@/components/Shell/QueryProvider";
import { ThemeProvider } from "@/components/Shell/ThemeProvider";
import { Toaster } from "@/components/Toast/Toaster";
import { reportingConfig } from "@/lib/errorReporting";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Sift", template: "%s · Sift" },
  description: "Search and ask your organization's documents.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f8fafc" },
    { media: "(prefers-color-scheme: dark)", color: "#020617" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the request makes every page render per request, with its own CSP nonce.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  const measurementId = process.env.SIFT_WEB_GA_ID;
  const reporting = reportingConfig(process.env);
  return (
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-screen">
        <ThemeProvider>
          <QueryProvider>
            {children}
            {/* Inside the provider: a signed-in person's choice is recorded through the API. */}
            {measurementId && <Analytics measurementId={measurementId} nonce={nonce} />}
          </QueryProvider>
          <Toaster />
        </ThemeProvider>
        {reporting && <ErrorReporting config={reporting} />}
      </body>
    </html>
  );
}
