export function Logo({ className = "h-7 w-7" }: { className?: string }) {
  return (
    <svg aria-hidden viewBox="0 0 32 32" className={className}>
      <rect width="32" height="32" rx="8" className="fill-brand-600 dark:fill-brand-500" />
      <path d="M9 11h14M11 16h10M13 21h6" stroke="white" strokeWidth="2.5" strokeLinecap="round" />
    </svg>
  );
}
