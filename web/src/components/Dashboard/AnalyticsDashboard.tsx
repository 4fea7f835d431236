"use client";

import { useMemo, useState } from "react";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import {
  useAnalyticsOverview,
  useAssistantAnalytics,
  useIngestionAnalytics,
  useRefreshAnalytics,
  useSearchAnalytics,
  useUsersAnalytics,
} from "@/hooks/analytics/queries";
import { bucketTitle } from "@/lib/analyticsSeries";
import { rangeFor, type RangeChoice } from "@/lib/analyticsRange";
import { AssistantPanel } from "./AssistantPanel";
import { IngestionPanel } from "./IngestionPanel";
import { ActivityPanel, SummaryPanel } from "./OverviewPanels";
import { RangePicker } from "./RangePicker";
import { SearchPanel } from "./SearchPanel";

/** How the organization uses Sift over a range: one panel per area of the analytics API. */
export function AnalyticsDashboard({ orgId }: { orgId: string }) {
  const [choice, setChoice] = useState<RangeChoice>({ preset: "7d" });
  // The picker only hands over choices the API takes; fixed here so the query keys stay put.
  const range = useMemo(() => rangeFor(choice).range!, [choice]);
  const overview = useAnalyticsOverview(orgId, range);
  const users = useUsersAnalytics(orgId, range);
  const search = useSearchAnalytics(orgId, range);
  const assistant = useAssistantAnalytics(orgId, range);
  const ingestion = useIngestionAnalytics(orgId, range);
  const refresh = useRefreshAnalytics();
  const refreshing = [overview, users, search, assistant, ingestion].some(
    (query) => query.isFetching,
  );
  const first = bucketTitle(range.from, "day");
  const last = bucketTitle(new Date(Date.parse(range.to) - 1).toISOString(), "day");
  const days = first === last ? first : `${first} to ${last}`;

  return (
    <>
      <Card
        title="Analytics"
        description={`${days}, by the ${range.interval} (UTC). Updated as events arrive; the page asks again every minute.`}
        actions={
          <Button variant="secondary" className="h-9 px-3" loading={refreshing} onClick={refresh}>
            Refresh
          </Button>
        }
      >
        <RangePicker choice={choice} onChange={setChoice} />
      </Card>
      <SummaryPanel range={range} overview={overview} users={users} search={search} />
      <ActivityPanel range={range} users={users} overview={overview} />
      <SearchPanel range={range} data={search.data} error={search.error} />
      <AssistantPanel range={range} data={assistant.data} error={assistant.error} />
      <IngestionPanel range={range} data={ingestion.data} error={ingestion.error} />
    </>
  );
}
