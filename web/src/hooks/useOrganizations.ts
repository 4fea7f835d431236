"use client";

import { useEffect, useState } from "react";
import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";

export type Organization = components["schemas"]["OrganizationRead"];

export function useOrganizations(enabled: boolean) {
  const [organizations, setOrganizations] = useState<Organization[] | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    unwrap(api.GET("/api/orgs"))
      .then((page) => live && setOrganizations(page.items))
      .catch(() => live && setOrganizations([]));
    return () => {
      live = false;
    };
  }, [enabled]);
  const current =
    organizations?.find((organization) => organization.current) ?? organizations?.[0] ?? null;
  return { organizations, current };
}
