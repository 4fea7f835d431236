import Link from "next/link";
import type { ReactNode } from "react";
import { ThemeToggle } from "@/components/Shell/ThemeToggle";
import { Logo } from "@/components/ui/Logo";

// Development tools: open without signing in (a newcomer reads their verification mail
// before having an account), so outside the workspace's shell.
export default function DevLayout({ children }: { children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white/90 dark:border-slate-800 dark:bg-slate-950/90">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-3 px-4">
          <Link
            href="/collections"
            aria-label="Sift home"
            className="flex items-center gap-2 rounded-lg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
          >
            <Logo />
            <span className="text-base font-semibold">Sift</span>
          </Link>
          <span className="rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800 dark:bg-amber-900/40 dark:text-amber-200">
            development
          </span>
          <div className="ml-auto">
            <ThemeToggle />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:py-8">
        {children}
      </main>
    </div>
  );
}
