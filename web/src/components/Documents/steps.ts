import type { DocumentRead } from "@/hooks/documents/keys";

export type Step = NonNullable<DocumentRead["steps"]>[number];

const STEP_LABELS: Record<string, string> = {
  extract: "Extract text",
  redact: "Redact personal data",
  chunk: "Split into passages",
  embed: "Embed passages",
  index: "Index",
};

export const stepLabel = (name: string) =>
  STEP_LABELS[name] ?? name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, " ");

const REDACTED: Record<string, [string, string]> = {
  email: ["e-mail address", "e-mail addresses"],
  phone: ["phone number", "phone numbers"],
  iban: ["IBAN", "IBANs"],
  card: ["card number", "card numbers"],
  ip: ["IP address", "IP addresses"],
  person: ["name", "names"],
};

/** What PII redaction replaced in the indexed text, in words ("2 e-mail addresses, 1 IBAN"). */
export function redactionSummary(redactions: DocumentRead["redactions"]): string | null {
  if (!redactions) return null;
  const parts = Object.entries(redactions)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => {
      const [one, many] = REDACTED[kind] ?? [kind, kind];
      return `${count} ${count === 1 ? one : many}`;
    });
  return parts.length > 0 ? parts.join(", ") : "nothing found";
}

/** How long a step took: its own measure, or the gap between its timestamps. */
export function stepDuration(step: Step): number | null {
  if (typeof step.duration_ms === "number") return step.duration_ms;
  if (step.started_at && step.finished_at)
    return Date.parse(step.finished_at) - Date.parse(step.started_at);
  return null;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

// The documents service's failure codes, in words a reader can act on.
const FAILURES: Record<string, string> = {
  encrypted_pdf: "The PDF is password-protected. Upload a copy without a password.",
  corrupt_file: "The file is damaged or not what its name says.",
  no_text: "No text was found (a scan without OCR?).",
  timeout: "Processing took too long. Retrying often helps.",
};

export function failureMessage(error: DocumentRead["error"]): string {
  if (!error) return "Processing failed.";
  return FAILURES[error.code] ?? error.message;
}
