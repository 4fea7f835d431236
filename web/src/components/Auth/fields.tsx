import { get, type FieldValues, type Path, type UseFormReturn } from "react-hook-form";
import type { ReactNode } from "react";
import { Field } from "@/components/ui/Field";
import { PASSWORD_MIN_LENGTH } from "./schemas";

/** The field blocks the account forms share (sign-in, sign-up, forgot, reset, settings). */
interface BlockProps<T extends FieldValues> {
  form: UseFormReturn<T>;
  name: Path<T>;
}

function errorOf<T extends FieldValues>(form: UseFormReturn<T>, name: Path<T>) {
  const found = get(form.formState.errors, name) as { message?: unknown } | undefined;
  const message = found?.message;
  return typeof message === "string" ? message : undefined;
}

export function NameField<T extends FieldValues>({ form, name }: BlockProps<T>) {
  return (
    <Field label="Name" autoComplete="name" error={errorOf(form, name)} {...form.register(name)} />
  );
}

export function EmailField<T extends FieldValues>({ form, name }: BlockProps<T>) {
  return (
    <Field
      label="E-mail"
      type="email"
      autoComplete="email"
      error={errorOf(form, name)}
      {...form.register(name)}
    />
  );
}

export function CurrentPasswordField<T extends FieldValues>({
  form,
  name,
  label = "Password",
}: BlockProps<T> & { label?: string }) {
  return (
    <Field
      label={label}
      type="password"
      autoComplete="current-password"
      error={errorOf(form, name)}
      {...form.register(name)}
    />
  );
}

export function NewPasswordField<T extends FieldValues>({
  form,
  name,
  label = "New password",
  hint = `At least ${PASSWORD_MIN_LENGTH} characters.`,
}: BlockProps<T> & { label?: string; hint?: ReactNode }) {
  return (
    <Field
      label={label}
      type="password"
      autoComplete="new-password"
      hint={hint}
      error={errorOf(form, name)}
      {...form.register(name)}
    />
  );
}

export function RepeatPasswordField<T extends FieldValues>({ form, name }: BlockProps<T>) {
  return (
    <Field
      label="Repeat the new password"
      type="password"
      autoComplete="new-password"
      error={errorOf(form, name)}
      {...form.register(name)}
    />
  );
}

export function MfaCodeField<T extends FieldValues>({ form, name }: BlockProps<T>) {
  return (
    <Field
      label="Authentication code"
      inputMode="numeric"
      autoComplete="one-time-code"
      autoFocus
      error={errorOf(form, name)}
      {...form.register(name)}
    />
  );
}
