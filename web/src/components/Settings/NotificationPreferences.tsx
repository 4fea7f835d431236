"use client";

import { useMemo } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import { Select } from "@/components/ui/Select";
import { Skeleton } from "@/components/ui/Skeleton";
import type { Preferences } from "@/hooks/notificationPreferences/keys";
import { useNotificationPhone } from "@/hooks/notificationPhone/queries";
import { useSaveNotificationPreferences } from "@/hooks/notificationPreferences/mutations";
import { useNotificationPreferences } from "@/hooks/notificationPreferences/queries";
import { useApiForm } from "@/hooks/useApiForm";
import { errorText } from "@/lib/api/problem";
import { toastSuccess } from "@/stores/toast";
import { PhoneCard } from "./PhoneCard";
import { PreferencesMatrix } from "./PreferencesMatrix";
import {
  preferencesSchema,
  timeZones,
  toBody,
  toValues,
  type PreferenceValues,
} from "./preferencesForm";

export function NotificationPreferences() {
  const preferences = useNotificationPreferences();
  const phone = useNotificationPhone();
  const error = errorText(preferences.error);
  const verified = phone.data?.verified ?? false;
  return (
    <div className="space-y-6">
      <PhoneCard />
      {error ? (
        <Alert>{error}</Alert>
      ) : !preferences.data || !phone.data ? (
        <Skeleton className="h-96" />
      ) : (
        // A phone verified or removed changes the SMS column: the form starts again.
        <PreferencesForm
          key={String(verified)}
          preferences={preferences.data}
          phoneVerified={verified}
        />
      )}
    </div>
  );
}

function PreferencesForm({
  preferences,
  phoneVerified,
}: {
  preferences: Preferences;
  phoneVerified: boolean;
}) {
  const save = useSaveNotificationPreferences();
  const { form, formError, submit } = useApiForm<PreferenceValues>({
    schema: preferencesSchema,
    // Errors the server names by these fields go next to them; others (a type) above.
    fields: ["quiet_hours.start", "quiet_hours.end", "quiet_hours.time_zone", "digest"],
    defaultValues: toValues(preferences),
    onSubmit: async (values) => {
      // Without a verified phone no type goes by SMS (a stale tick would be refused).
      const types = values.types.map((row) => ({ ...row, sms: phoneVerified && row.sms }));
      const saved = await save.mutateAsync(toBody({ ...values, types }));
      form.reset(toValues(saved));
      toastSuccess("Notification preferences saved.");
    },
  });
  const { register, watch, formState } = form;
  const { errors, isSubmitting, isDirty } = formState;
  const quiet = watch("quiet_hours.enabled");
  const zone = watch("quiet_hours.time_zone");
  const zones = useMemo(() => timeZones(zone), [zone]);

  return (
    <form onSubmit={submit} noValidate className="space-y-6">
      {formError && <Alert>{formError}</Alert>}
      <Card
        title="Notifications"
        description="Choose what reaches you in Sift, by e-mail and by text message."
      >
        <PreferencesMatrix
          rows={preferences.types.map((row) => ({
            ...row,
            locked: !!row.locked,
            sms_available: !!row.sms_available,
          }))}
          register={register}
          phoneVerified={phoneVerified}
        />
      </Card>
      <Card
        title="Quiet hours and digest"
        description="Hold e-mail at night, and gather small news into one mail."
      >
        <div className="max-w-md space-y-4">
          <label className="flex items-center gap-2 text-sm font-medium">
            <input
              type="checkbox"
              className="h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-2 focus:ring-brand-500"
              {...register("quiet_hours.enabled")}
            />
            Hold e-mail during quiet hours
          </label>
          {quiet && (
            <div className="grid grid-cols-2 gap-3">
              <Field
                label="From"
                type="time"
                error={errors.quiet_hours?.start?.message}
                {...register("quiet_hours.start")}
              />
              <Field
                label="To"
                type="time"
                error={errors.quiet_hours?.end?.message}
                {...register("quiet_hours.end")}
              />
            </div>
          )}
          <Select
            label="Time zone"
            error={errors.quiet_hours?.time_zone?.message}
            {...register("quiet_hours.time_zone")}
          >
            {zones.map((name) => (
              <option key={name} value={name}>
                {name.replaceAll("_", " ")}
              </option>
            ))}
          </Select>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            Mail that falls in quiet hours is sent when they end. Security mail always goes at once.
          </p>
          <Select label="Digest" error={errors.digest?.message} {...register("digest")}>
            <option value="off">Off: mail each notification</option>
            <option value="daily">Daily</option>
            <option value="weekly">Weekly (Mondays)</option>
          </Select>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            With a digest, “Document ready” and “Saved search matches” e-mails come together in one
            mail at 8:00 in your time zone.
          </p>
        </div>
      </Card>
      <Button type="submit" loading={isSubmitting} disabled={!isDirty}>
        Save preferences
      </Button>
    </form>
  );
}
