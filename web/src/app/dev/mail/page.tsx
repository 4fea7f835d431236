import type { Metadata } from "next";
import { DevMailScreen } from "@/components/DevMail/DevMailScreen";

export const metadata: Metadata = { title: "Development mail" };

export default function DevMailPage() {
  return <DevMailScreen />;
}
