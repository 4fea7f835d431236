import type { Metadata } from "next";
import { NotificationsScreen } from "@/components/Notifications/NotificationsScreen";

export const metadata: Metadata = { title: "Notifications" };

export default function NotificationsPage() {
  return <NotificationsScreen />;
}
