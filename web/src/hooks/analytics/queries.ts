"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { analyticsKeys, type AnalyticsRange } from "./keys";

// The roll-ups change as events arrive: a dashboard left open catches up once a minute.
export const ANALYTICS_POLL_MS = 60_000;

const options = { refetchInterval: ANALYTICS_POLL_MS } as const;

/** Activity, ingestion, search and AI of the current organization over `range`. */
export function useAnalyticsOverview(orgId: string, range: AnalyticsRange) {
  return useQuery({
    queryKey: analyticsKeys.area(orgId, "overview", range),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/analytics/overview", { params: { query: range }, signal })),
    ...options,
  });
}

/** Searches by mode, zero results, clicks and the top queries (searched by 3+ people). */
export function useSearchAnalytics(orgId: string, range: AnalyticsRange) {
  return useQuery({
    queryKey: analyticsKeys.area(orgId, "search", range),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/analytics/search", { params: { query: range }, signal })),
    ...options,
  });
}

/** AI answers by provider and model, failovers, latency, tokens, cost and feedback. */
export function useAssistantAnalytics(orgId: string, range: AnalyticsRange) {
  return useQuery({
    queryKey: analyticsKeys.area(orgId, "assistant", range),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/analytics/assistant", { params: { query: range }, signal })),
    ...options,
  });
}

/** Uploads, documents indexed and failed (by reason), storage used. */
export function useIngestionAnalytics(orgId: string, range: AnalyticsRange) {
  return useQuery({
    queryKey: analyticsKeys.area(orgId, "ingestion", range),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/analytics/ingestion", { params: { query: range }, signal })),
    ...options,
  });
}

/** Daily and weekly active people. */
export function useUsersAnalytics(orgId: string, range: AnalyticsRange) {
  return useQuery({
    queryKey: analyticsKeys.area(orgId, "users", range),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/analytics/users", { params: { query: range }, signal })),
    ...options,
  });
}

/** Ask every area again now, instead of at the next poll. */
export function useRefreshAnalytics() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: analyticsKeys.all });
}
