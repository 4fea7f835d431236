import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { AuthCard } from "@/components/Auth/AuthCard";
import { ResetPasswordForm } from "@/components/Auth/ResetPasswordForm";

export const metadata: Metadata = { title: "Choose a new password" };

export default function ResetPasswordPage() {
  return (
    <AuthCard
      title="Choose a new password"
      subtitle="Every session is signed out once it is set."
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
        <ResetPasswordForm />
      </Suspense>
    </AuthCard>
  );
}
