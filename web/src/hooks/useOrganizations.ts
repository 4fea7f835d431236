"use client";

import { useEffect } from "react";
import { toastError } from "@/stores/toast";
import {
  currentOrganization,
  useOrganizationStore,
  type Organization,
} from "@/stores/organizations";

export type { Organization };

/** The caller's organizations and the current one (loaded once per session). */
export function useOrganizations(enabled = true) {
  const organizations = useOrganizationStore((state) => state.organizations);
  const load = useOrganizationStore((state) => state.load);
  const switchTo = useOrganizationStore((state) => state.switchTo);
  useEffect(() => {
    if (enabled && organizations === null) load().catch(toastError);
  }, [enabled, organizations, load]);
  return { organizations, current: currentOrganization(organizations), switchTo, reload: load };
}
