"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import type { MouseEvent } from "react";
import type { CapturedMail } from "@/hooks/devMail/keys";
import { formatDate } from "@/lib/format";
import { appPath } from "@/lib/links";
import { sanitizeMail } from "@/lib/sanitize";

const LINK =
  "break-all text-brand-700 underline-offset-2 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:text-brand-100";

function MailLink({ href }: { href: string }) {
  const path = appPath(href);
  return path === null ? (
    <a href={href} target="_blank" rel="noopener noreferrer" className={LINK}>
      {href}
    </a>
  ) : (
    <Link href={path} className={LINK}>
      {href}
    </Link>
  );
}

/** One captured mail: who it went to, its links, its HTML (sanitized) and its text. */
export function MailView({ mail }: { mail: CapturedMail }) {
  const router = useRouter();
  // A link of this app in the mail's HTML opens in the app, like the links listed above it.
  const followInApp = (event: MouseEvent<HTMLDivElement>) => {
    const anchor = (event.target as Element).closest("a");
    const path = anchor?.getAttribute("href") ? appPath(anchor.href) : null;
    if (path === null || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    router.push(path);
  };
  return (
    <article aria-label={mail.subject || "(no subject)"} className="min-w-0 space-y-4">
      <header className="space-y-1">
        <h2 className="text-lg font-semibold text-slate-900 dark:text-slate-50">
          {mail.subject || "(no subject)"}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          To {mail.to.join(", ") || "nobody"} ·{" "}
          <time dateTime={mail.received_at}>{formatDate(mail.received_at)}</time>
        </p>
      </header>
      {mail.links.length > 0 && (
        <section aria-label="Links in this mail" className="space-y-1">
          <h3 className="text-sm font-medium text-slate-700 dark:text-slate-300">Links</h3>
          <ul className="space-y-1 text-sm">
            {mail.links.map((link) => (
              <li key={link}>
                <MailLink href={link} />
              </li>
            ))}
          </ul>
        </section>
      )}
      {mail.html && (
        <section aria-label="HTML" className="space-y-1">
          <h3 className="text-sm font-medium text-slate-700 dark:text-slate-300">HTML</h3>
          {/* Delegates the clicks of the links inside, which keep their own keyboard use. */}
          <div
            data-testid="mail-html"
            onClick={followInApp}
            className="relative overflow-auto rounded-lg border border-slate-200 bg-white text-slate-900 [contain:content] dark:border-slate-800"
            // Sanitized: text, tables and links only (see lib/sanitize.ts).
            dangerouslySetInnerHTML={{ __html: sanitizeMail(mail.html) }}
          />
        </section>
      )}
      {mail.text && (
        <section aria-label="Text" className="space-y-1">
          <h3 className="text-sm font-medium text-slate-700 dark:text-slate-300">Text</h3>
          <pre
            data-testid="mail-text"
            className="overflow-auto whitespace-pre-wrap break-words rounded-lg border border-slate-200 bg-slate-50 p-3 font-mono text-xs text-slate-800 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-200"
          >
            {mail.text}
          </pre>
        </section>
      )}
    </article>
  );
}
