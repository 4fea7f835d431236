import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { AuditEntry } from "@/hooks/audit/keys";

import { AuditEntryRow, receiptSummary } from "./AuditEntryRow";

function entry(action: string, data: Record<string, unknown>): AuditEntry {
  return {
    id: "5b2d1f0e-0000-4000-8000-000000000001",
    seq: 7,
    occurred_at: "2026-12-05T00:00:00Z",
    recorded_at: "2026-12-05T00:00:01Z",
    producer: "audit",
    actor: null,
    action,
    target_type: "request",
    target_id: "9f0c",
    ip: null,
    user_agent: null,
    data,
    hash: "h",
    prev_hash: "p",
  };
}

describe("receiptSummary", () => {
  it("adds up an erasure's counts across services", () => {
    const receipt = entry("privacy.member_erased", {
      request_id: "9f0c",
      services: {
        documents: { erased: 3, anonymized: 1 },
        identity: { erased: 2, anonymized: 0 },
      },
    });
    expect(receiptSummary(receipt)).toBe("Receipt: 5 erased, 1 anonymized across 2 services");
  });

  it("says nothing for other actions or an empty receipt", () => {
    expect(receiptSummary(entry("collection.created", { services: { a: {} } }))).toBeNull();
    expect(receiptSummary(entry("privacy.erasure_finished", {}))).toBeNull();
  });
});

describe("AuditEntryRow", () => {
  it("shows the receipt and the recorded data on demand", () => {
    render(
      <AuditEntryRow
        entry={entry("privacy.erasure_finished", {
          kind: "erasure",
          services: { search: { erased: 40, anonymized: 0 } },
        })}
      />,
    );
    expect(screen.getByTestId("audit-receipt")).toHaveTextContent(
      "Receipt: 40 erased, 0 anonymized across 1 service",
    );
    expect(screen.getByText("Details")).toBeInTheDocument();
    expect(screen.getByText(/"kind": "erasure"/)).toBeInTheDocument();
  });
});
