import { z } from "zod";

export const MAX_MONTHLY_QUOTA = 10_000_000;

// Mirrors OrganizationUpdate (identity).
export const organizationNameSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Give the organization a name.")
    .max(200, "Use at most 200 characters."),
});
export type OrganizationNameValues = z.infer<typeof organizationNameSchema>;

// Mirrors AssistantSettingsUpdate; the form holds text, "" meaning none.
export const aiSettingsSchema = z.object({
  default_provider: z.string(),
  monthly_answer_quota: z
    .string()
    .trim()
    .refine(
      (value) => value === "" || /^\d+$/.test(value),
      "Enter a whole number, or leave it empty for no limit.",
    )
    .refine(
      (value) => value === "" || Number(value) <= MAX_MONTHLY_QUOTA,
      `Use at most ${MAX_MONTHLY_QUOTA.toLocaleString("en")}.`,
    ),
});
export type AiSettingsValues = z.infer<typeof aiSettingsSchema>;

/** The form's values as the API's body. */
export function aiSettingsBody(values: AiSettingsValues) {
  const quota = values.monthly_answer_quota.trim();
  return {
    default_provider: (values.default_provider || null) as "gemini" | "openai" | "local" | null,
    monthly_answer_quota: quota === "" ? null : Number(quota),
  };
}

/** "12 of 100 AI answers used this month", or without a limit "12 AI answers this month". */
export function quotaUsage(used: number, quota: number | null | undefined): string {
  const answers = used === 1 ? "AI answer" : "AI answers";
  if (quota === null || quota === undefined)
    return `${used} ${answers} this month, no monthly limit.`;
  return `${used} of ${quota} AI answers used this month.`;
}
