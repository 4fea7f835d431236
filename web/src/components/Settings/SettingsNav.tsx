"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useOrganizations } from "@/hooks/organizations/queries";
import { cn } from "@/lib/cn";
import { isAdmin } from "@/stores/organizations";

const TABS = [
  { href: "/settings", label: "Profile", admin: false },
  { href: "/settings/security", label: "Password & two-step", admin: false },
  { href: "/settings/sessions", label: "Sessions", admin: false },
  { href: "/settings/notifications", label: "Notifications", admin: false },
  { href: "/settings/privacy", label: "Privacy", admin: false },
  { href: "/settings/api-keys", label: "API keys", admin: true },
  { href: "/settings/audit", label: "Audit log", admin: true },
  { href: "/settings/ingestion", label: "Ingestion", admin: true },
  { href: "/settings/analytics", label: "Analytics", admin: true },
  { href: "/settings/evaluation", label: "Evaluation", admin: true },
  { href: "/settings/organization", label: "Organization", admin: true },
];

export function SettingsNav() {
  const pathname = usePathname();
  const { current } = useOrganizations();
  const admin = isAdmin(current?.role);
  return (
    <nav aria-label="Settings" className="-mx-4 overflow-x-auto px-4 md:mx-0 md:px-0">
      <ul className="flex gap-1 md:flex-col">
        {TABS.filter((tab) => admin || !tab.admin).map((tab) => {
          const active = pathname === tab.href;
          return (
            <li key={tab.href}>
              <Link
                href={tab.href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "block whitespace-nowrap rounded-lg px-3 py-2 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
                  active
                    ? "bg-brand-50 text-brand-700 dark:bg-slate-800 dark:text-white"
                    : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
                )}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
