import type { components } from "@/lib/api/schema";

export type Phone = components["schemas"]["NotificationsPhoneRead"];

// The caller's own phone for SMS notifications (not identity's second-factor phone).
export const phoneKeys = {
  all: ["notification-phone"] as const,
};
