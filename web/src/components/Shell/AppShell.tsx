"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";
import { Logo } from "@/components/ui/Logo";
import { Skeleton } from "@/components/ui/Skeleton";
import { useOrganizations } from "@/hooks/organizations/queries";
import { useSearchShortcut } from "@/hooks/useSearchShortcut";
import { useSession } from "@/hooks/auth/queries";
import { cn } from "@/lib/cn";
import { isAdmin, useOrganizationStore } from "@/stores/organizations";
import { NotificationBell } from "./NotificationBell";
import { OrgSwitcher } from "./OrgSwitcher";
import { SearchButton } from "./SearchButton";
import { ThemeToggle } from "./ThemeToggle";
import { UserMenu } from "./UserMenu";

const NAV = [
  { href: "/search", label: "Search", admin: false },
  { href: "/ask", label: "Ask", admin: false },
  { href: "/collections", label: "Collections", admin: false },
  { href: "/members", label: "Members", admin: true },
  { href: "/settings", label: "Settings", admin: false },
];

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const { status, user } = useSession();
  const { current } = useOrganizations(status === "authenticated");
  const generation = useOrganizationStore((state) => state.generation);
  const [menuOpen, setMenuOpen] = useState(false);
  useSearchShortcut();

  if (status !== "authenticated") {
    return (
      <div
        className="mx-auto max-w-5xl space-y-4 p-6"
        aria-busy="true"
        aria-label="Loading your workspace"
      >
        <Skeleton className="h-10 w-48" />
        <Skeleton className="h-24 w-full" />
        <Skeleton className="h-24 w-full" />
      </div>
    );
  }

  const admin = isAdmin(current?.role);
  const nav = NAV.filter((item) => admin || !item.admin).map((item) => (
    <Link
      key={item.href}
      href={item.href}
      onClick={() => setMenuOpen(false)}
      aria-current={pathname.startsWith(item.href) ? "page" : undefined}
      className={cn(
        "rounded-lg px-3 py-2 text-sm font-medium transition-colors focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
        pathname.startsWith(item.href)
          ? "bg-brand-50 text-brand-700 dark:bg-slate-800 dark:text-white"
          : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
      )}
    >
      {item.label}
    </Link>
  ));

  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only z-50 rounded-lg bg-white px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:left-4 focus:top-3 focus:outline-none focus:ring-2 focus:ring-brand-500 dark:bg-slate-900"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-950/90">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-3 px-4">
          <button
            type="button"
            className="rounded-lg p-2 text-slate-600 hover:bg-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:text-slate-300 dark:hover:bg-slate-800 sm:hidden"
            aria-label={menuOpen ? "Close navigation" : "Open navigation"}
            aria-expanded={menuOpen}
            aria-controls="mobile-nav"
            onClick={() => setMenuOpen((open) => !open)}
          >
            <svg
              aria-hidden
              viewBox="0 0 24 24"
              className="h-5 w-5"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
            >
              <path d="M4 6h16M4 12h16M4 18h16" />
            </svg>
          </button>
          <Link
            href="/collections"
            aria-label="Sift home"
            className="flex items-center gap-2 rounded-lg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
          >
            <Logo />
            <span className="hidden text-base font-semibold sm:inline">Sift</span>
          </Link>
          <span aria-hidden className="text-slate-300 dark:text-slate-700">
            /
          </span>
          <OrgSwitcher />
          <nav aria-label="Main" className="ml-4 hidden items-center gap-1 sm:flex">
            {nav}
          </nav>
          <div className="ml-auto flex items-center gap-1">
            <SearchButton />
            <NotificationBell />
            <ThemeToggle />
            <UserMenu user={user} admin={admin} />
          </div>
        </div>
        {menuOpen && (
          <nav
            id="mobile-nav"
            aria-label="Main"
            className="flex flex-col gap-1 border-t border-slate-200 px-4 py-2 dark:border-slate-800 sm:hidden"
          >
            {nav}
          </nav>
        )}
      </header>
      {/* Keyed by organization: switching remounts the page, so everything is fetched again. */}
      <main key={generation} id="main" className="mx-auto max-w-6xl px-4 py-6 sm:py-8">
        {children}
      </main>
    </div>
  );
}
