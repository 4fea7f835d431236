"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { api, unwrap } from "@/lib/api/client";
import { messageOf } from "@/lib/api/problem";
import { useAuthStore } from "@/stores/auth";
import { useOrganizationStore } from "@/stores/organizations";
import { toastSuccess } from "@/stores/toast";

export function AcceptInvitation() {
  const router = useRouter();
  const token = useSearchParams().get("token");
  const user = useAuthStore((state) => state.user);
  const [error, setError] = useState<string | null>(token ? null : "This link is incomplete.");
  const [busy, setBusy] = useState(false);

  const accept = async () => {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      const organization = await unwrap(
        api.POST("/api/invitations/{token}/accept", { params: { path: { token } } }),
      );
      const store = useOrganizationStore.getState();
      await store.load();
      await store.switchTo(organization.id);
      toastSuccess(`You joined ${organization.name}.`);
      router.replace("/collections");
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="mx-auto max-w-lg">
      <Card
        title="You are invited"
        description={
          user
            ? `Join the organization as ${user.email}. The invitation must have been sent to this address.`
            : "Join the organization that invited you."
        }
      >
        <div className="space-y-4">
          {error && <Alert>{error}</Alert>}
          <Button onClick={accept} loading={busy} disabled={!token}>
            Accept invitation
          </Button>
        </div>
      </Card>
    </div>
  );
}
