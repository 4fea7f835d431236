import { describe, expect, it } from "vitest";
import { collectionSchema } from "@/components/Collections/schemas";
import { signInSchema, signUpSchema } from "./schemas";

type Result = { error?: { issues: { path: PropertyKey[]; message: string }[] } };

/** The first message for each field, as the form shows it. */
function messages(result: Result): Record<string, string> {
  const found: Record<string, string> = {};
  for (const issue of result.error?.issues ?? []) found[issue.path.join(".")] ??= issue.message;
  return found;
}

describe("signUpSchema", () => {
  it("accepts a valid account", () => {
    expect(
      signUpSchema.safeParse({
        name: "Ada",
        email: "ada@example.com",
        password: "Lantern-orchard-93",
      }).success,
    ).toBe(true);
  });

  it("explains each invalid field", () => {
    const result = signUpSchema.safeParse({ name: " ", email: "not-an-email", password: "short" });
    expect(messages(result)).toEqual({
      name: "Enter your name.",
      email: "Enter a valid e-mail address.",
      password: "Use at least 10 characters.",
    });
  });

  it("refuses the e-mail address as the password", () => {
    const result = signUpSchema.safeParse({
      name: "Ada",
      email: "ada.long@example.com",
      password: "ADA.LONG@example.com",
    });
    expect(messages(result)).toEqual({
      password: "Your password must not be your e-mail address.",
    });
  });
});

describe("signInSchema", () => {
  it("requires both fields", () => {
    expect(messages(signInSchema.safeParse({ email: "", password: "" }))).toEqual({
      email: "Enter your e-mail address.",
      password: "Enter your password.",
    });
  });

  it("accepts an optional 6-digit code", () => {
    expect(
      signInSchema.safeParse({ email: "a@b.co", password: "x", mfa_code: "123456" }).success,
    ).toBe(true);
    expect(signInSchema.safeParse({ email: "a@b.co", password: "x", mfa_code: "12" }).success).toBe(
      false,
    );
  });
});

describe("collectionSchema", () => {
  const privacy = { redact_pii: false, keep_original_files: true };

  it("mirrors CollectionCreate's limits", () => {
    expect(
      collectionSchema.safeParse({ ...privacy, name: "", description: "", visibility: "org" })
        .success,
    ).toBe(false);
    expect(
      collectionSchema.safeParse({
        ...privacy,
        name: "x".repeat(201),
        description: "",
        visibility: "org",
      }).success,
    ).toBe(false);
    expect(
      collectionSchema.safeParse({
        ...privacy,
        name: "Notes",
        description: "",
        visibility: "restricted",
      }).success,
    ).toBe(true);
    expect(
      collectionSchema.safeParse({
        ...privacy,
        name: "Notes",
        description: "",
        visibility: "public",
      }).success,
    ).toBe(false);
  });
});
