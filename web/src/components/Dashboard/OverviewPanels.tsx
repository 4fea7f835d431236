"use client";

import type {
  AnalyticsRange,
  OverviewAnalytics,
  SearchAnalytics,
  UsersAnalytics,
} from "@/hooks/analytics/keys";
import {
  formatCount,
  formatPercent,
  formatUsd,
  isEmpty,
  mergeSeries,
  ratio,
  total,
} from "@/lib/analyticsSeries";
import { Panel } from "./Panel";
import { Stat, StatGrid } from "./Stat";
import { TimeChart } from "./TimeChart";

interface Query<T> {
  data: T | undefined;
  error: unknown;
}

/** A total shown as a count. */
function CountStat({ id, label, count }: { id: string; label: string; count: number }) {
  return <Stat id={id} label={label} value={count} display={formatCount(count)} />;
}

/** The range in numbers: who was active, what was uploaded, searched and answered, the cost. */
export function SummaryPanel({
  range,
  overview,
  users,
  search,
}: {
  range: AnalyticsRange;
  overview: Query<OverviewAnalytics>;
  users: Query<UsersAnalytics>;
  search: Query<SearchAnalytics>;
}) {
  return (
    <Panel
      title="At a glance"
      description="Totals over the range."
      area="overview"
      range={range}
      data={overview.data}
      error={overview.error}
      isEmpty={(data) => isEmpty({ ...data.series })}
    >
      {({ series }) => {
        const searches = total(series.searches);
        // The rate of the whole range, not an average of the buckets' rates.
        const zeroResults = search.data ? total(search.data.series.zero_results) : null;
        const zeroRate = zeroResults === null ? null : ratio(zeroResults, searches);
        const cost = total(series.cost);
        const active = users.data?.active_users ?? null;
        return (
          <StatGrid label="Totals over the range">
            <Stat
              id="active-users"
              label="Active people"
              value={active}
              display={active === null ? "–" : formatCount(active)}
            />
            <CountStat id="uploads" label="Uploads" count={total(series.uploads)} />
            <CountStat id="indexed" label="Indexed" count={total(series.indexed)} />
            <CountStat id="failed" label="Failed to index" count={total(series.failed)} />
            <CountStat id="searches" label="Searches" count={searches} />
            <Stat
              id="zero-result-rate"
              label="Without results"
              value={zeroRate}
              display={formatPercent(zeroRate)}
            />
            <CountStat id="answers" label="AI answers" count={total(series.answers)} />
            <CountStat id="failovers" label="Failovers" count={total(series.failovers)} />
            <Stat id="cost" label="AI cost" value={cost} display={formatUsd(cost)} />
          </StatGrid>
        );
      }}
    </Panel>
  );
}

/** Active people by day (and over the week before each day), with uploads. */
export function ActivityPanel({
  range,
  users,
  overview,
}: {
  range: AnalyticsRange;
  users: Query<UsersAnalytics>;
  overview: Query<OverviewAnalytics>;
}) {
  return (
    <Panel
      title="Activity"
      description="People active in each period, and the files they uploaded."
      area="users"
      range={range}
      data={users.data}
      error={users.error}
      isEmpty={(data) => isEmpty({ ...data.series })}
    >
      {(data) => {
        const uploads = overview.data?.series.uploads ?? [];
        const weekly = range.interval === "day";
        const rows = mergeSeries({
          active: data.series.active_users,
          weekly: weekly ? data.series.weekly_active_users : [],
          uploads,
        });
        return (
          <TimeChart
            label="Activity over time"
            rows={rows}
            interval={range.interval}
            series={[
              {
                key: "uploads",
                label: "Uploads",
                color: "var(--chart-2)",
                kind: "bar",
                summary: formatCount(total(uploads)),
              },
              {
                key: "active",
                label:
                  range.interval === "hour" ? "Active people (hourly)" : "Active people (daily)",
                color: "var(--chart-1)",
                kind: "line",
                summary: `${formatCount(data.active_users)} in the range`,
              },
              ...(weekly
                ? [
                    {
                      key: "weekly" as const,
                      label: "Active in the past 7 days",
                      color: "var(--chart-5)",
                      kind: "line" as const,
                      summary:
                        formatCount(
                          Math.max(0, ...data.series.weekly_active_users.map((p) => p.value)),
                        ) + " at most",
                    },
                  ]
                : []),
            ]}
          />
        );
      }}
    </Panel>
  );
}
