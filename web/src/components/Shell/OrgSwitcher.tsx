"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { useRouter } from "next/navigation";
import { Skeleton } from "@/components/ui/Skeleton";
import { useSwitchOrganization } from "@/hooks/organizations/mutations";
import { useOrganizations } from "@/hooks/organizations/queries";
import { toastError, toastSuccess } from "@/stores/toast";

const ROLE_LABEL = { owner: "Owner", admin: "Admin", editor: "Editor", viewer: "Viewer" } as const;

/** The current organization; a menu of the others when there are any. */
export function OrgSwitcher() {
  const router = useRouter();
  const { organizations, current } = useOrganizations();
  const switchOrganization = useSwitchOrganization();
  const busy = switchOrganization.isPending;

  if (!current) return <Skeleton className="h-4 w-28" />;

  const onSwitch = (orgId: string) => {
    if (orgId === current.id) return;
    switchOrganization.mutateAsync(orgId).then((organization) => {
      toastSuccess(`Switched to ${organization.name}.`);
      router.push("/collections");
    }, toastError);
  };

  return (
    <DropdownMenu.Root modal={false}>
      {/* Not modal: a modal menu hides the page from assistive technology with
          aria-hidden while its links stay focusable (axe: aria-hidden-focus). */}
      <DropdownMenu.Trigger
        aria-label={`Organization: ${current.name}. Switch organization`}
        disabled={busy}
        className="flex min-w-0 items-center gap-1 rounded-lg px-2 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 disabled:opacity-60 dark:text-slate-300 dark:hover:bg-slate-800"
      >
        <span data-testid="org-name" className="truncate">
          {current.name}
        </span>
        <svg aria-hidden viewBox="0 0 20 20" className="h-4 w-4 shrink-0" fill="currentColor">
          <path d="M5.3 7.3a1 1 0 0 1 1.4 0L10 10.6l3.3-3.3a1 1 0 1 1 1.4 1.4l-4 4a1 1 0 0 1-1.4 0l-4-4a1 1 0 0 1 0-1.4Z" />
        </svg>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="start"
          sideOffset={8}
          className="z-50 min-w-64 max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-800 dark:bg-slate-900"
        >
          <DropdownMenu.Label className="px-3 py-1.5 text-xs font-medium text-slate-500 dark:text-slate-400">
            Organizations
          </DropdownMenu.Label>
          <DropdownMenu.RadioGroup value={current.id} onValueChange={onSwitch}>
            {(organizations ?? []).map((organization) => (
              <DropdownMenu.RadioItem
                key={organization.id}
                value={organization.id}
                className="flex cursor-pointer items-center gap-2 rounded-md px-3 py-2 text-sm text-slate-700 outline-none data-[highlighted]:bg-slate-100 dark:text-slate-200 dark:data-[highlighted]:bg-slate-800"
              >
                <span className="flex h-4 w-4 items-center justify-center">
                  <DropdownMenu.ItemIndicator>
                    <svg aria-hidden viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
                      <path d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z" />
                    </svg>
                  </DropdownMenu.ItemIndicator>
                </span>
                <span className="min-w-0 flex-1 truncate">{organization.name}</span>
                <span className="text-xs text-slate-500 dark:text-slate-400">
                  {ROLE_LABEL[organization.role]}
                </span>
              </DropdownMenu.RadioItem>
            ))}
          </DropdownMenu.RadioGroup>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
