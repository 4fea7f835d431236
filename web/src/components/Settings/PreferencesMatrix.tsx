"use client";

import type { UseFormRegister } from "react-hook-form";
import type { PreferenceValues } from "./preferencesForm";
import { TYPE_NAMES, nameOf } from "./preferencesForm";

const CHANNELS = [
  { key: "in_app", label: "In-app" },
  { key: "email", label: "E-mail" },
  { key: "sms", label: "SMS" },
] as const;

const box =
  "h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-2 focus:ring-brand-500 disabled:opacity-60 dark:border-slate-600";

/** Why a row's SMS box cannot be ticked; null when it can. */
function smsBlocked(row: PreferenceRow, phoneVerified: boolean): string | null {
  if (!row.sms_available) return "Not sent by text message.";
  if (!phoneVerified) return "Verify a phone number above to get text messages.";
  return null;
}

type PreferenceRow = PreferenceValues["types"][number] & { sms_available: boolean };

/** Rows are notification types, columns the channels. Locked rows show the server's
 * answer in disabled boxes (security alerts go by SMS once a phone is verified); an SMS
 * box is usable once the phone is verified, for the types a text can carry. */
export function PreferencesMatrix({
  rows,
  register,
  phoneVerified,
}: {
  rows: PreferenceRow[];
  register: UseFormRegister<PreferenceValues>;
  phoneVerified: boolean;
}) {
  return (
    <div className="-mx-4 overflow-x-auto px-4">
      <table className="w-full min-w-[28rem] text-sm">
        <caption className="sr-only">Which notifications reach you on which channel</caption>
        <thead>
          <tr className="border-b border-slate-200 text-left dark:border-slate-800">
            <th scope="col" className="py-2 pr-4 font-medium">
              Notification
            </th>
            {CHANNELS.map((channel) => (
              <th key={channel.key} scope="col" className="w-20 py-2 text-center font-medium">
                {channel.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {rows.map((row, index) => {
            const name = nameOf(row.type);
            return (
              <tr key={row.type} data-testid="preference-row">
                <th scope="row" className="py-3 pr-4 text-left font-normal">
                  <span className="block font-medium">{name}</span>
                  <span className="block text-xs text-slate-500 dark:text-slate-400">
                    {row.locked
                      ? "Security mail cannot be switched off."
                      : TYPE_NAMES[row.type]?.description}
                  </span>
                </th>
                {CHANNELS.map((channel) => {
                  const blocked = channel.key === "sms" ? smsBlocked(row, phoneVerified) : null;
                  return (
                    <td key={channel.key} className="py-3 text-center">
                      {row.locked || blocked !== null ? (
                        // Not the user's to change: the server's answer (a blocked SMS box
                        // shows off, whatever a not yet refreshed copy says).
                        <input
                          type="checkbox"
                          className={box}
                          aria-label={`${name}: ${channel.label}`}
                          checked={blocked === null && row[channel.key]}
                          title={blocked ?? undefined}
                          disabled
                          readOnly
                        />
                      ) : (
                        <input
                          type="checkbox"
                          className={box}
                          aria-label={`${name}: ${channel.label}`}
                          {...register(`types.${index}.${channel.key}`)}
                        />
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="mt-2 text-xs text-slate-500 dark:text-slate-400" data-testid="sms-note">
        {phoneVerified
          ? "Texts go to your verified phone. Account e-mails and member news never go by SMS."
          : "SMS needs a verified phone number: add one under “Phone for text messages”."}
      </p>
    </div>
  );
}
