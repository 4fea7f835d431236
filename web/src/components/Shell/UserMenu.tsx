"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useSignOut } from "@/hooks/auth/mutations";
import type { User } from "@/stores/auth";

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase())
    .join("");
}

const ITEM =
  "block cursor-pointer rounded-md px-3 py-2 text-sm text-slate-700 outline-none data-[highlighted]:bg-slate-100 dark:text-slate-200 dark:data-[highlighted]:bg-slate-800";

export function UserMenu({ user, admin = false }: { user: User | null; admin?: boolean }) {
  const router = useRouter();
  const signOut = useSignOut();
  // A failure is toasted by the hook; the session is forgotten here either way. Not
  // `mutate`'s callbacks: signing out unmounts this menu, and they would not run.
  const leave = (everywhere: boolean) =>
    signOut
      .mutateAsync({ everywhere })
      .catch(() => undefined)
      .then(() => router.replace("/sign-in"));
  return (
    <DropdownMenu.Root modal={false}>
      {/* Not modal: a modal menu hides the page from assistive technology with
          aria-hidden while its links stay focusable (axe: aria-hidden-focus). */}
      <DropdownMenu.Trigger
        aria-label="Account menu"
        className="flex h-9 w-9 items-center justify-center rounded-full bg-brand-100 text-sm font-semibold text-brand-700 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:bg-brand-700 dark:text-white"
      >
        {user ? initials(user.name) || "?" : ""}
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="end"
          sideOffset={8}
          className="z-50 min-w-56 max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-800 dark:bg-slate-900"
        >
          {user && (
            <div className="px-3 py-2">
              <p className="truncate text-sm font-medium text-slate-900 dark:text-slate-100">
                {user.name}
              </p>
              <p className="truncate text-xs text-slate-500 dark:text-slate-400">{user.email}</p>
            </div>
          )}
          <DropdownMenu.Separator className="my-1 h-px bg-slate-200 dark:bg-slate-800" />
          <DropdownMenu.Item asChild className={ITEM}>
            <Link href="/settings">Settings</Link>
          </DropdownMenu.Item>
          {admin && (
            <DropdownMenu.Item asChild className={ITEM}>
              <Link href="/members">Members</Link>
            </DropdownMenu.Item>
          )}
          <DropdownMenu.Separator className="my-1 h-px bg-slate-200 dark:bg-slate-800" />
          <DropdownMenu.Item onSelect={() => leave(false)} className={ITEM}>
            Sign out
          </DropdownMenu.Item>
          <DropdownMenu.Item onSelect={() => leave(true)} className={ITEM}>
            Sign out everywhere
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
