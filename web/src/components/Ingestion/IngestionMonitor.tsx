"use client";

import { isBusy } from "@/hooks/ingestion/keys";
import { useIngestionOverview, useListsFollow } from "@/hooks/ingestion/queries";
import { POLL_INTERVAL_MS } from "@/hooks/documents/queries";
import { IngestionOverview } from "./IngestionOverview";
import { ReindexCard } from "./ReindexCard";
import { WatchList } from "./WatchList";

/** The admins' view of indexing: numbers, failures with their reason, re-indexing. */
export function IngestionMonitor() {
  const overview = useIngestionOverview(null);
  // The lists follow the numbers: they poll while anything waits or is processed.
  const pollMs = isBusy(overview.data) ? POLL_INTERVAL_MS : false;
  useListsFollow(overview.data);
  return (
    <>
      <IngestionOverview data={overview.data} error={overview.error} />
      <WatchList status="failed" pollMs={pollMs} />
      {(overview.data?.counts.processing ?? 0) > 0 && (
        <WatchList status="processing" pollMs={pollMs} />
      )}
      <ReindexCard />
    </>
  );
}
