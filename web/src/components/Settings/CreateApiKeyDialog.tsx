"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field } from "@/components/ui/Field";
import { useApiForm } from "@/hooks/useApiForm";
import { useCreateApiKey } from "@/hooks/apiKeys/mutations";
import { apiKeyBody, apiKeySchema, KEY_PERMISSIONS, type ApiKeyValues } from "./apiKeySchema";

export function CreateApiKeyDialog({ orgId }: { orgId: string }) {
  const create = useCreateApiKey(orgId);
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const { form, formError, setFormError, submit } = useApiForm<ApiKeyValues>({
    schema: apiKeySchema,
    fields: ["name", "permissions"],
    defaultValues: { name: "", permissions: ["documents:read", "search:read"], expires_on: "" },
    onSubmit: async (values) => setSecret((await create.mutateAsync(apiKeyBody(values))).key),
  });
  const { register, reset, formState } = form;
  const { errors, isSubmitting } = formState;

  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) {
      reset();
      setSecret(null);
      setCopied(false);
      setFormError(null);
    }
  };

  return (
    <>
      <Button onClick={() => setOpen(true)}>New API key</Button>
      <Dialog
        open={open}
        onOpenChange={onOpenChange}
        title={secret ? "Copy your API key" : "New API key"}
        description={
          secret
            ? "This is the only time the key is shown. Store it in a secret manager."
            : "A key acts for this organization with the permissions you choose."
        }
      >
        {secret ? (
          <div className="space-y-4">
            <code
              data-testid="api-key-secret"
              className="block break-all rounded-lg bg-slate-100 p-3 font-mono text-sm dark:bg-slate-800"
            >
              {secret}
            </code>
            <div className="flex justify-end gap-2">
              <Button
                variant="secondary"
                onClick={() =>
                  navigator.clipboard.writeText(secret).then(
                    () => setCopied(true),
                    () => setCopied(false),
                  )
                }
              >
                {copied ? "Copied" : "Copy"}
              </Button>
              <Button onClick={() => onOpenChange(false)}>Done</Button>
            </div>
          </div>
        ) : (
          <form onSubmit={submit} noValidate className="space-y-4">
            {formError && <Alert>{formError}</Alert>}
            <Field label="Name" autoFocus error={errors.name?.message} {...register("name")} />
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">
                Permissions
              </legend>
              <div className="grid gap-1.5 sm:grid-cols-2">
                {KEY_PERMISSIONS.map((permission) => (
                  <label key={permission.value} className="flex items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      value={permission.value}
                      className="accent-brand-600"
                      {...register("permissions")}
                    />
                    {permission.label}
                  </label>
                ))}
              </div>
              {errors.permissions && (
                <p role="alert" className="text-sm text-red-600 dark:text-red-400">
                  {errors.permissions.message}
                </p>
              )}
            </fieldset>
            <Field
              label="Expires on (optional)"
              type="date"
              error={errors.expires_on?.message}
              {...register("expires_on")}
            />
            <div className="flex justify-end gap-2">
              <Button type="button" variant="secondary" onClick={() => onOpenChange(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={isSubmitting}>
                Create key
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </>
  );
}
