"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import {
  useForm,
  type FieldValues,
  type Path,
  type UseFormProps,
  type UseFormSetError,
} from "react-hook-form";
import type { ZodType, ZodTypeDef } from "zod";
import { ApiError, messageOf } from "@/lib/api/problem";

/** Put a problem's field errors next to their fields; return what is left for the form. */
function applyServerErrors<T extends FieldValues>(
  error: unknown,
  fields: readonly Path<T>[],
  setError: UseFormSetError<T>,
): string | null {
  if (!(error instanceof ApiError)) return messageOf(error);
  let placed = false;
  for (const fieldError of error.fieldErrors) {
    const field = fields.find((name) => name === fieldError.field);
    if (field) {
      setError(field, { type: "server", message: fieldError.message });
      placed = true;
    }
  }
  return placed ? null : error.message;
}

interface ApiFormOptions<T extends FieldValues> extends Omit<UseFormProps<T>, "resolver"> {
  schema: ZodType<T, ZodTypeDef, T>;
  /** The fields a problem+json answer may name: their errors go next to them. */
  fields: readonly Path<T>[];
  /** Does the work (usually a mutation's `mutateAsync`); what it throws is shown. */
  onSubmit: (values: T) => Promise<unknown>;
  /** A message to show before anything is submitted (e.g. from the URL). */
  initialError?: string | null;
}

/**
 * A form that submits to the API: client-side checks from the zod schema, the server's
 * field errors next to their fields, anything else as `formError` above the form.
 */
export function useApiForm<T extends FieldValues>({
  schema,
  fields,
  onSubmit,
  initialError = null,
  ...options
}: ApiFormOptions<T>) {
  const form = useForm<T>({ ...options, resolver: zodResolver(schema) });
  const [formError, setFormError] = useState<string | null>(initialError);
  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit(values);
    } catch (error) {
      setFormError(applyServerErrors(error, fields, form.setError));
    }
  });
  return { form, formError, setFormError, submit };
}
