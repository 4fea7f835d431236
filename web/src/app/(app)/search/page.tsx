import type { Metadata } from "next";
import { Suspense } from "react";
import { SearchPage } from "@/components/Search/SearchPage";

export const metadata: Metadata = { title: "Search" };

export default function Search() {
  return (
    <Suspense>
      <SearchPage />
    </Suspense>
  );
}
