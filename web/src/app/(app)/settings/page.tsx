"use client";

import { ProfileForm } from "@/components/Settings/ProfileForm";
import { Skeleton } from "@/components/ui/Skeleton";
import { useAuthStore } from "@/stores/auth";

export default function ProfilePage() {
  const user = useAuthStore((state) => state.user);
  if (!user) return <Skeleton className="h-64" />;
  return <ProfileForm user={user} />;
}
