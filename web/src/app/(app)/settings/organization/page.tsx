import { Suspense } from "react";
import { OrganizationSettings } from "@/components/Settings/OrganizationSettings";

export default function OrganizationSettingsPage() {
  return (
    <Suspense>
      <OrganizationSettings />
    </Suspense>
  );
}
