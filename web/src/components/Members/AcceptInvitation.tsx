"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { useAcceptInvitation } from "@/hooks/organizations/mutations";
import { errorText } from "@/lib/api/problem";
import { useAuthStore } from "@/stores/auth";
import { toastSuccess } from "@/stores/toast";

export function AcceptInvitation() {
  const router = useRouter();
  const token = useSearchParams().get("token");
  const user = useAuthStore((state) => state.user);
  const acceptance = useAcceptInvitation();
  const error = token ? errorText(acceptance.error) : "This link is incomplete.";

  // Not `mutate`'s callbacks: the switch remounts this page, and they would not run.
  const accept = () => {
    if (!token) return;
    acceptance.mutateAsync(token).then(
      (organization) => {
        toastSuccess(`You joined ${organization.name}.`);
        router.replace("/collections");
      },
      () => undefined, // shown from the mutation's error
    );
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
          <Button onClick={accept} loading={acceptance.isPending} disabled={!token}>
            Accept invitation
          </Button>
        </div>
      </Card>
    </div>
  );
}
