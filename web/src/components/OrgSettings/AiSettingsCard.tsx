"use client";

import { useEffect } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import { Select } from "@/components/ui/Select";
import { Skeleton } from "@/components/ui/Skeleton";
import type { AssistantSettings } from "@/hooks/orgSettings/keys";
import { useUpdateAssistantSettings } from "@/hooks/orgSettings/mutations";
import { useAssistantSettings } from "@/hooks/orgSettings/queries";
import { useApiForm } from "@/hooks/useApiForm";
import { errorText } from "@/lib/api/problem";
import { formatDate } from "@/lib/format";
import { toastSuccess } from "@/stores/toast";
import { aiSettingsBody, aiSettingsSchema, quotaUsage, type AiSettingsValues } from "./schemas";

const PROVIDER_LABELS: Record<string, string> = {
  gemini: "Gemini",
  openai: "OpenAI (or a compatible server)",
  local: "Local extractive answerer (no data leaves Sift)",
};

const valuesOf = (settings: AssistantSettings): AiSettingsValues => ({
  default_provider: settings.default_provider ?? "",
  monthly_answer_quota:
    settings.monthly_answer_quota === null || settings.monthly_answer_quota === undefined
      ? ""
      : String(settings.monthly_answer_quota),
});

/** Which AI provider answers first and how many AI answers the organization gets a month. */
export function AiSettingsCard() {
  const settings = useAssistantSettings();
  return (
    <Card
      title="AI answers"
      description="The provider asked first (the others stay as fallbacks) and a monthly limit on answers and summaries."
    >
      {settings.data ? (
        <AiSettingsForm settings={settings.data} />
      ) : settings.error ? (
        <Alert>{errorText(settings.error)}</Alert>
      ) : (
        <Skeleton className="h-40" />
      )}
    </Card>
  );
}

function AiSettingsForm({ settings }: { settings: AssistantSettings }) {
  const update = useUpdateAssistantSettings();
  const { form, formError, submit } = useApiForm<AiSettingsValues>({
    schema: aiSettingsSchema,
    fields: ["default_provider", "monthly_answer_quota"],
    defaultValues: valuesOf(settings),
    onSubmit: async (values) => {
      const saved = await update.mutateAsync(aiSettingsBody(values));
      form.reset(valuesOf(saved));
      toastSuccess("AI settings saved.");
    },
  });
  const { errors, isSubmitting, isDirty } = form.formState;
  const { reset } = form;
  // Another tab's change (or a refetch) shows up when nothing is being edited.
  useEffect(() => {
    if (!isDirty) reset(valuesOf(settings));
  }, [settings, isDirty, reset]);
  const order = settings.providers.filter((p) => p.configured).map((p) => p.name);
  return (
    <form onSubmit={submit} noValidate className="max-w-md space-y-4">
      {formError && <Alert>{formError}</Alert>}
      <Select
        label="Default AI provider"
        error={errors.default_provider?.message}
        {...form.register("default_provider")}
      >
        <option value="">The installation&apos;s order ({order.join(", ")})</option>
        {settings.providers.map((provider) => (
          <option key={provider.name} value={provider.name} disabled={!provider.configured}>
            {PROVIDER_LABELS[provider.name] ?? provider.name}
            {provider.configured ? "" : " — not configured"}
          </option>
        ))}
      </Select>
      <Field
        label="Monthly answer quota"
        inputMode="numeric"
        placeholder="No limit"
        error={errors.monthly_answer_quota?.message}
        hint={`${quotaUsage(settings.answers_this_month, settings.monthly_answer_quota)} The count starts again on ${formatDate(settings.quota_resets_at)}.`}
        {...form.register("monthly_answer_quota")}
      />
      <Button type="submit" loading={isSubmitting} disabled={!isDirty}>
        Save AI settings
      </Button>
    </form>
  );
}
