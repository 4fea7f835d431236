import Link from "next/link";
import type { Collection } from "@/hooks/collections/keys";

export function CollectionList({ collections }: { collections: Collection[] }) {
  return (
    <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
      {collections.map((collection) => (
        <li key={collection.id}>
          <Link
            href={`/collections/${collection.id}`}
            className="block h-full rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition hover:border-brand-500 hover:shadow focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:border-slate-800 dark:bg-slate-900 dark:hover:border-brand-500"
          >
            <div className="flex items-center justify-between gap-2">
              <h2 className="truncate font-medium text-slate-900 dark:text-slate-50">
                {collection.name}
              </h2>
              {collection.visibility === "restricted" && (
                <span className="shrink-0 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800 dark:bg-amber-900/40 dark:text-amber-200">
                  Restricted
                </span>
              )}
            </div>
            <p className="mt-1 line-clamp-2 text-sm text-slate-600 dark:text-slate-400">
              {collection.description || "No description"}
            </p>
          </Link>
        </li>
      ))}
    </ul>
  );
}
