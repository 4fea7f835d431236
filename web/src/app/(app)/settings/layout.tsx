import type { Metadata } from "next";
import type { ReactNode } from "react";
import { SettingsNav } from "@/components/Settings/SettingsNav";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Your account, its security, your notifications, your data, and your organization&apos;s
          API keys, audit log, indexing, analytics, search evaluation and settings.
        </p>
      </div>
      <div className="grid gap-6 md:grid-cols-[12rem_1fr]">
        <SettingsNav />
        <div className="min-w-0 space-y-6">{children}</div>
      </div>
    </div>
  );
}
