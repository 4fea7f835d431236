// The analytics consent is a preference, kept like the theme; never anything about the session.
const KEY = "sift-analytics-consent";

export type Consent = "granted" | "denied";

export function readConsent(): Consent | null {
  const value = window.localStorage.getItem(KEY);
  return value === "granted" || value === "denied" ? value : null;
}

export function saveConsent(consent: Consent): void {
  window.localStorage.setItem(KEY, consent);
}
