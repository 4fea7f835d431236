"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Select } from "@/components/ui/Select";
import { Skeleton } from "@/components/ui/Skeleton";
import type { CollectionRole } from "@/hooks/collections/keys";
import { useGrantCollectionRole, useRevokeCollectionRole } from "@/hooks/collections/mutations";
import { useCollectionMembers } from "@/hooks/collections/queries";
import { useMembers } from "@/hooks/members/queries";
import { useOrganizations } from "@/hooks/organizations/queries";
import { errorText } from "@/lib/api/problem";

const ROLES: { value: CollectionRole; label: string }[] = [
  { value: "viewer", label: "Viewer" },
  { value: "editor", label: "Editor" },
  { value: "manager", label: "Manager" },
];

/** Who may open a restricted collection, and with which role. */
export function CollectionMembers({ collectionId }: { collectionId: string }) {
  const [open, setOpen] = useState(false);
  const { current } = useOrganizations();
  const orgId = current?.id ?? null;
  const grants = useCollectionMembers(collectionId, open);
  const grantsError = errorText(grants.error);
  // Names come from the organization's member list (admins can read it).
  const people = useMembers(orgId, open);
  const grantRole = useGrantCollectionRole(collectionId);
  const revokeRole = useRevokeCollectionRole(collectionId);
  const [adding, setAdding] = useState("");

  const nameOf = (userId: string) => {
    const person = people.data?.find((member) => member.user_id === userId);
    return person ? `${person.name} (${person.email})` : "A member of the organization";
  };

  // Failures are toasted by the hooks.
  const grant = (userId: string, role: CollectionRole) =>
    grantRole.mutateAsync({ userId, role }).then(
      () => undefined,
      () => undefined,
    );
  const revoke = (userId: string) => revokeRole.mutate(userId);

  const granted = new Set((grants.data ?? []).map((g) => g.user_id));
  const candidates = (people.data ?? []).filter((member) => !granted.has(member.user_id));

  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Collection members
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Collection members"
        description="Only the people listed here can see this restricted collection."
      >
        <div className="space-y-4">
          {grantsError && <Alert>{grantsError}</Alert>}
          {grants.data === undefined && !grantsError ? (
            <Skeleton className="h-20" />
          ) : (
            <ul
              aria-label="People with access"
              className="max-h-72 divide-y divide-slate-200 overflow-y-auto dark:divide-slate-800"
            >
              {(grants.data ?? []).map((item) => (
                <li
                  key={item.user_id}
                  data-testid="collection-member"
                  className="flex items-center gap-2 py-2"
                >
                  <span className="min-w-0 flex-1 truncate text-sm">{nameOf(item.user_id)}</span>
                  <div className="w-28">
                    <Select
                      label={`Role of ${nameOf(item.user_id)}`}
                      hideLabel
                      className="h-8"
                      value={item.role}
                      onChange={(event) =>
                        void grant(item.user_id, event.target.value as CollectionRole)
                      }
                    >
                      {ROLES.map((role) => (
                        <option key={role.value} value={role.value}>
                          {role.label}
                        </option>
                      ))}
                    </Select>
                  </div>
                  <Button
                    variant="ghost"
                    className="h-8 px-2"
                    aria-label={`Remove ${nameOf(item.user_id)}`}
                    onClick={() => revoke(item.user_id)}
                  >
                    Remove
                  </Button>
                </li>
              ))}
            </ul>
          )}
          {candidates.length > 0 && (
            <form
              className="flex items-end gap-2"
              onSubmit={(event) => {
                event.preventDefault();
                if (adding) void grant(adding, "viewer").then(() => setAdding(""));
              }}
            >
              <div className="min-w-0 flex-1">
                <Select
                  label="Add a person"
                  value={adding}
                  onChange={(event) => setAdding(event.target.value)}
                >
                  <option value="">Choose a member…</option>
                  {candidates.map((member) => (
                    <option key={member.user_id} value={member.user_id}>
                      {member.name} ({member.email})
                    </option>
                  ))}
                </Select>
              </div>
              <Button type="submit" disabled={!adding}>
                Add
              </Button>
            </form>
          )}
        </div>
      </Dialog>
    </>
  );
}
