import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/Auth/AuthCard";
import { ForgotPasswordForm } from "@/components/Auth/ForgotPasswordForm";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  return (
    <AuthCard
      title="Forgot your password?"
      subtitle="We will e-mail you a link to choose a new one."
      footer={
        <Link
          href="/sign-in"
          className="font-medium text-brand-600 hover:underline dark:text-brand-100"
        >
          Back to sign in
        </Link>
      }
    >
      <ForgotPasswordForm />
    </AuthCard>
  );
}
