import { describe, expect, it } from "vitest";
import { aiSettingsBody, aiSettingsSchema, organizationNameSchema, quotaUsage } from "./schemas";

describe("organization settings forms", () => {
  it("turns the AI form's text into the API's body, empty meaning none", () => {
    expect(aiSettingsBody({ default_provider: "", monthly_answer_quota: "" })).toEqual({
      default_provider: null,
      monthly_answer_quota: null,
    });
    expect(aiSettingsBody({ default_provider: "local", monthly_answer_quota: " 250 " })).toEqual({
      default_provider: "local",
      monthly_answer_quota: 250,
    });
  });

  it("refuses a quota that is not a whole number within the API's bounds", () => {
    const check = (quota: string) =>
      aiSettingsSchema.safeParse({ default_provider: "", monthly_answer_quota: quota }).success;
    expect(check("0")).toBe(true);
    expect(check("")).toBe(true);
    expect(check("-1")).toBe(false);
    expect(check("2.5")).toBe(false);
    expect(check("many")).toBe(false);
    expect(check("10000001")).toBe(false);
  });

  it("refuses a blank or too long name", () => {
    expect(organizationNameSchema.safeParse({ name: "   " }).success).toBe(false);
    expect(organizationNameSchema.safeParse({ name: "x".repeat(201) }).success).toBe(false);
    expect(organizationNameSchema.safeParse({ name: "Harbour team" }).success).toBe(true);
  });

  it("says how much of the quota is used", () => {
    expect(quotaUsage(3, 10)).toBe("3 of 10 AI answers used this month.");
    expect(quotaUsage(1, null)).toBe("1 AI answer this month, no monthly limit.");
  });
});
