import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/Auth/AuthCard";
import { SignUpForm } from "@/components/Auth/SignUpForm";

export const metadata: Metadata = { title: "Create your account" };

export default function SignUpPage() {
  return (
    <AuthCard
      title="Create your account"
      subtitle="A personal workspace is created for you."
      footer={
        <>
          Already have an account?{" "}
          <Link
            href="/sign-in"
            className="font-medium text-brand-600 hover:underline dark:text-brand-100"
          >
            Sign in
          </Link>
        </>
      }
    >
      <SignUpForm />
    </AuthCard>
  );
}
