"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/Button";
import { useUpdateConsents } from "@/hooks/privacy/mutations";
import { useConsents } from "@/hooks/privacy/queries";
import { readConsent, saveConsent, type Consent } from "@/lib/consent";
import { useAuthStore } from "@/stores/auth";

declare global {
  interface Window {
    dataLayer?: unknown[];
  }
}

/** Load gtag.js; it is only ever called after the user said yes. */
export function loadGoogleAnalytics(measurementId: string, nonce: string | undefined): void {
  if (document.getElementById("sift-gtag")) return;
  window.dataLayer = window.dataLayer ?? [];
  // gtag() pushes its `arguments` object, which is what gtag.js reads.
  function gtag(..._args: unknown[]) {
    // eslint-disable-next-line prefer-rest-params
    window.dataLayer!.push(arguments);
  }
  gtag("js", new Date());
  gtag("config", measurementId, { anonymize_ip: true });
  const script = document.createElement("script");
  script.id = "sift-gtag";
  script.async = true;
  script.src = `https://www.googletagmanager.com/gtag/js?id=${encodeURIComponent(measurementId)}`;
  if (nonce) script.nonce = nonce;
  document.head.appendChild(script);
}

/**
 * Google Analytics, only when configured (SIFT_WEB_GA_ID) and only after consent: until
 * the user chooses, a banner asks and nothing is loaded. A signed-in person's choice is also
 * recorded with their consents (the privacy center shows it), and one they made on another
 * browser is taken from there instead of asking again.
 */
export function Analytics({ measurementId, nonce }: { measurementId: string; nonce?: string }) {
  const [consent, setConsent] = useState<Consent | null | "unknown">("unknown");
  const signedIn = useAuthStore((state) => state.status === "authenticated");
  const recorded = useConsents({ enabled: signedIn && consent === null });
  const record = useUpdateConsents();

  useEffect(() => setConsent(readConsent()), []);
  useEffect(() => {
    if (consent === "granted") loadGoogleAnalytics(measurementId, nonce);
  }, [consent, measurementId, nonce]);
  useEffect(() => {
    const chosen = recorded.data?.history.find((entry) => entry.kind === "analytics");
    if (consent === null && chosen) {
      const choice = chosen.granted ? "granted" : "denied";
      saveConsent(choice);
      setConsent(choice);
    }
  }, [consent, recorded.data]);

  const choose = (choice: Consent) => {
    saveConsent(choice);
    setConsent(choice);
    if (signedIn) record.mutate({ analytics: choice === "granted" });
  };

  if (consent !== null) return null;
  return (
    <div
      role="region"
      aria-label="Analytics consent"
      className="fixed inset-x-0 bottom-0 z-50 border-t border-slate-200 bg-white p-4 shadow-lg dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="mx-auto flex max-w-4xl flex-col gap-3 sm:flex-row sm:items-center">
        <p className="flex-1 text-sm text-slate-700 dark:text-slate-300">
          May Sift use Google Analytics to learn how the app is used? It sets cookies and sends
          usage data to Google. Your documents are never sent.
        </p>
        <div className="flex gap-2">
          <Button variant="secondary" onClick={() => choose("denied")}>
            Decline
          </Button>
          <Button onClick={() => choose("granted")}>Allow analytics</Button>
        </div>
      </div>
    </div>
  );
}
