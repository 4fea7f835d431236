import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { rangeFor } from "@/lib/analyticsRange";
import { useAuthStore } from "@/stores/auth";
import { renderWithQuery as render } from "@/test/query";
import { AnalyticsDashboard } from "./AnalyticsDashboard";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
const T1 = "2026-12-04T00:00:00Z";
const T2 = "2026-12-05T00:00:00Z";
const s = (a: number, b: number) => [
  { t: T1, value: a },
  { t: T2, value: b },
];
const none = () => [] as { t: string; value: number }[];

const REPORTS: Record<string, unknown> = {
  overview: {
    series: {
      active_users: s(1, 2),
      uploads: s(2, 1),
      indexed: s(1, 1),
      failed: s(0, 1),
      searches: s(1, 3),
      zero_result_rate: s(0, 1 / 3),
      answers: s(0, 2),
      failovers: s(0, 1),
      cost: s(0, 0.0125),
    },
  },
  users: { series: { active_users: s(1, 2), weekly_active_users: s(1, 2) }, active_users: 2 },
  search: {
    series: {
      searches: s(1, 3),
      zero_results: s(0, 1),
      zero_result_rate: s(0, 1 / 3),
      clicks: s(1, 0),
      hybrid: s(1, 1),
      fulltext: s(0, 2),
      semantic: s(0, 0),
    },
    modes: [
      { mode: "hybrid", searches: 2, zero_results: 0 },
      { mode: "fulltext", searches: 2, zero_results: 1 },
    ],
    top_queries: [{ query: "cobalt blue", searches: 4, users: 3, zero_results: 0 }],
  },
  assistant: {
    series: {
      answers: s(0, 2),
      failovers: s(0, 1),
      cost: s(0, 0.0125),
      prompt_tokens: s(0, 900),
      completion_tokens: s(0, 100),
      latency_p50: s(0, 1000),
      latency_p95: s(0, 2500),
      feedback_up: s(0, 1),
      feedback_down: s(0, 1),
    },
    providers: [
      {
        provider: "local",
        model: "extractive-mmr-v1",
        answers: 2,
        failovers: 1,
        prompt_tokens: 900,
        completion_tokens: 100,
        cost: 0.0125,
      },
    ],
    latency: { p50_ms: 1000, p95_ms: 2500 },
    feedback: { up: 1, down: 1, up_ratio: 0.5 },
  },
  ingestion: {
    series: { uploads: s(2, 1), indexed: s(1, 1), failed: s(0, 1), storage_bytes: s(10, 2048) },
    failure_reasons: [{ code: "encrypted_pdf", count: 1 }],
    storage_bytes: 2048,
  },
};

const EMPTY: Record<string, unknown> = {
  overview: {
    series: Object.fromEntries(
      Object.keys((REPORTS.overview as { series: object }).series).map((k) => [k, none()]),
    ),
  },
  users: { series: { active_users: none(), weekly_active_users: none() }, active_users: 0 },
  search: {
    series: Object.fromEntries(
      Object.keys((REPORTS.search as { series: object }).series).map((k) => [k, none()]),
    ),
    modes: [],
    top_queries: [],
  },
  assistant: {
    series: Object.fromEntries(
      Object.keys((REPORTS.assistant as { series: object }).series).map((k) => [k, none()]),
    ),
    providers: [],
    latency: { p50_ms: null, p95_ms: null },
    feedback: { up: 0, down: 0, up_ratio: null },
  },
  ingestion: {
    series: { uploads: none(), indexed: none(), failed: none(), storage_bytes: none() },
    failure_reasons: [],
    storage_bytes: 0,
  },
};

describe("AnalyticsDashboard", () => {
  const fetchMock = vi.fn<typeof fetch>();
  const asked: URL[] = [];
  let reports = REPORTS;
  let failing: string | null = null;

  beforeEach(() => {
    reports = REPORTS;
    failing = null;
    vi.stubGlobal("fetch", fetchMock);
    useAuthStore.setState({ accessToken: "t", status: "authenticated" });
    fetchMock.mockImplementation(async (input) => {
      const url = new URL((input as Request).url);
      asked.push(url);
      const area = url.pathname.replace("/api/analytics/", "");
      if (area === failing)
        return json(503, { title: "Sift is temporarily unavailable.", status: 503 });
      if (area in reports) return json(200, reports[area]);
      return json(404, { title: "Not found", status: 404 });
    });
  });

  afterEach(() => {
    fetchMock.mockReset();
    asked.length = 0;
    vi.unstubAllGlobals();
  });

  const stat = (id: string) => screen.getByTestId(`stat-${id}`);

  it("shows the range's totals, charts' legends and tables", async () => {
    render(<AnalyticsDashboard orgId="o1" />);
    await waitFor(() => expect(stat("searches")).toHaveAttribute("data-value", "4"));
    expect(stat("active-users")).toHaveTextContent("2");
    expect(stat("uploads")).toHaveAttribute("data-value", "3");
    expect(stat("failed")).toHaveAttribute("data-value", "1");
    expect(stat("zero-result-rate")).toHaveTextContent("25%");
    expect(stat("answers")).toHaveAttribute("data-value", "2");
    expect(stat("failovers")).toHaveAttribute("data-value", "1");
    expect(stat("cost")).toHaveTextContent("$0.0125");

    const search = screen.getByRole("region", { name: "Search" });
    expect(within(search).getByTestId("legend-fulltext")).toHaveTextContent("Full text: 2");
    expect(within(search).getByTestId("legend-zero_result_rate")).toHaveTextContent("25%");
    expect(within(search).getByTestId("top-query")).toHaveTextContent("cobalt blue");
    expect(within(search).getAllByTestId("mode-row")[1]).toHaveTextContent("Full text2150%");

    const assistant = screen.getByRole("region", { name: "AI answers" });
    expect(within(assistant).getByTestId("provider-row")).toHaveTextContent(
      "local · extractive-mmr-v1211,000$0.0125",
    );
    expect(within(assistant).getByTestId("stat-latency-p95")).toHaveTextContent("2.5 s");
    expect(within(assistant).getByTestId("stat-thumbs-down")).toHaveAttribute("data-value", "1");

    const ingestion = screen.getByRole("region", { name: "Ingestion" });
    expect(within(ingestion).getByTestId("failure-reason")).toHaveTextContent(
      "Password-protected PDF1",
    );
    expect(within(ingestion).getByTestId("storage-used")).toHaveTextContent("2.0 KB");
  });

  it("asks for the last 7 days by default and today by the hour once chosen", async () => {
    render(<AnalyticsDashboard orgId="o1" />);
    const week = rangeFor({ preset: "7d" }).range!;
    await waitFor(() => expect(asked.length).toBeGreaterThanOrEqual(5));
    for (const url of asked) {
      expect(url.searchParams.get("from")).toBe(week.from);
      expect(url.searchParams.get("to")).toBe(week.to);
      expect(url.searchParams.get("interval")).toBe("day");
    }
    asked.length = 0;
    await userEvent.click(screen.getByRole("button", { name: "Today" }));
    expect(screen.getByRole("button", { name: "Today" })).toHaveAttribute("aria-pressed", "true");
    const today = rangeFor({ preset: "today" }).range!;
    await waitFor(() =>
      expect(asked.map((url) => url.pathname).sort()).toEqual([
        "/api/analytics/assistant",
        "/api/analytics/ingestion",
        "/api/analytics/overview",
        "/api/analytics/search",
        "/api/analytics/users",
      ]),
    );
    for (const url of asked) {
      expect(url.searchParams.get("from")).toBe(today.from);
      expect(url.searchParams.get("interval")).toBe("hour");
    }
  });

  it("refuses a custom range the API would refuse, without asking it", async () => {
    render(<AnalyticsDashboard orgId="o1" />);
    await waitFor(() => expect(asked.length).toBeGreaterThanOrEqual(5));
    asked.length = 0;
    await userEvent.click(screen.getByRole("button", { name: "Custom" }));
    const form = screen.getByRole("form", { name: "Custom range" });
    const first = within(form).getByLabelText("First day");
    await userEvent.clear(first);
    await userEvent.type(first, "2099-01-02");
    const last = within(form).getByLabelText("Last day");
    await userEvent.clear(last);
    await userEvent.type(last, "2099-01-01");
    await userEvent.click(within(form).getByRole("button", { name: "Apply range" }));
    expect(within(form).getByRole("alert")).toHaveTextContent("cannot be before");
    expect(asked).toEqual([]);

    await userEvent.clear(first);
    await userEvent.type(first, "2026-11-01");
    await userEvent.clear(last);
    await userEvent.type(last, "2026-11-30");
    await userEvent.click(within(form).getByRole("button", { name: "Apply range" }));
    await waitFor(() => expect(asked.length).toBeGreaterThanOrEqual(5));
    expect(asked[0]!.searchParams.get("from")).toBe("2026-11-01T00:00:00.000Z");
    expect(asked[0]!.searchParams.get("to")).toBe("2026-12-01T00:00:00.000Z");
    expect(asked[0]!.searchParams.get("interval")).toBe("day");
  });

  it("says when nothing happened, and shows an area's error in its panel", async () => {
    reports = EMPTY;
    failing = "assistant";
    render(<AnalyticsDashboard orgId="o1" />);
    const search = screen.getByRole("region", { name: "Search" });
    expect(await within(search).findByText("Nothing happened in this range.")).toBeVisible();
    const assistant = screen.getByRole("region", { name: "AI answers" });
    expect(await within(assistant).findByRole("alert")).toHaveTextContent(
      "temporarily unavailable",
    );
    expect(within(search).getByRole("button", { name: "Export search as CSV" })).toBeEnabled();
  });
});
