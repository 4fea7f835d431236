import type { components } from "@/lib/api/schema";

export type AnalyticsArea = components["schemas"]["AnalyticsArea"];
export type AnalyticsInterval = components["schemas"]["AnalyticsInterval"];
export type Point = components["schemas"]["Point"];
export type OverviewAnalytics = components["schemas"]["OverviewRead"];
export type SearchAnalytics = components["schemas"]["SearchAnalytics"];
export type AssistantAnalytics = components["schemas"]["AssistantAnalytics"];
export type IngestionAnalytics = components["schemas"]["IngestionAnalytics"];
export type UsersAnalytics = components["schemas"]["UsersAnalytics"];

/** A range as the API takes it: RFC 3339 instants, `from` inclusive, `to` exclusive. */
export interface AnalyticsRange {
  from: string;
  to: string;
  interval: AnalyticsInterval;
}

export const analyticsKeys = {
  all: ["analytics"] as const,
  area: (orgId: string, area: AnalyticsArea, range: AnalyticsRange) =>
    [...analyticsKeys.all, orgId, area, range] as const,
};
