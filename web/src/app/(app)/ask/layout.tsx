import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AskScreen } from "@/components/Ask/AskScreen";

export const metadata: Metadata = { title: "Ask" };

// The screen lives in the layout: /ask and /ask/<id> share it, so it survives the move.
export default function AskLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <AskScreen />
      {children}
    </>
  );
}
