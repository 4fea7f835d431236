import { SessionList } from "@/components/Settings/SessionList";

export default function SessionsPage() {
  return <SessionList />;
}
