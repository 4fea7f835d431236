import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { AuthCard } from "@/components/Auth/AuthCard";
import { SignInForm } from "@/components/Auth/SignInForm";

export const metadata: Metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <AuthCard
      title="Welcome back"
      subtitle="Sign in to search and ask your documents."
      footer={
        <>
          New to Sift?{" "}
          <Link
            href="/sign-up"
            className="font-medium text-brand-600 hover:underline dark:text-brand-100"
          >
            Create an account
          </Link>
        </>
      }
    >
      <Suspense>
        <SignInForm />
      </Suspense>
    </AuthCard>
  );
}
