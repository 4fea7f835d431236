import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { AuthCard } from "@/components/Auth/AuthCard";
import { VerifyEmail } from "@/components/Auth/VerifyEmail";

export const metadata: Metadata = { title: "Verify your e-mail" };

export default function VerifyEmailPage() {
  return (
    <AuthCard
      title="Verify your e-mail"
      subtitle="Confirming the address lets Sift send you notifications."
      footer={
        <Link
          href="/sign-in"
          className="font-medium text-brand-600 hover:underline dark:text-brand-100"
        >
          Back to sign in
        </Link>
      }
    >
      <Suspense>
        <VerifyEmail />
      </Suspense>
    </AuthCard>
  );
}
