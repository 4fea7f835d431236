import type { Metadata } from "next";
import { Suspense } from "react";
import { AcceptInvitation } from "@/components/Members/AcceptInvitation";

export const metadata: Metadata = { title: "Invitation" };

export default function InvitationPage() {
  return (
    <Suspense>
      <AcceptInvitation />
    </Suspense>
  );
}
