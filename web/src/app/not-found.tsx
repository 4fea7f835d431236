import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 p-6 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="text-slate-600 dark:text-slate-400">
        The page you are looking for does not exist.
      </p>
      <Link
        href="/collections"
        className="text-brand-600 underline-offset-4 hover:underline dark:text-brand-100"
      >
        Back to your collections
      </Link>
    </main>
  );
}
