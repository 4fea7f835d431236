import { NotificationPreferences } from "@/components/Settings/NotificationPreferences";

export default function NotificationSettingsPage() {
  return <NotificationPreferences />;
}
