// The `?error=` reasons identity's OAuth callback sends back to the sign-in page.
const REASONS: Record<string, string> = {
  invalid_state: "The sign-in took too long or was started in another tab. Please try again.",
  provider_error: "The provider did not complete the sign-in.",
  email_unverified: "Your e-mail address is not verified with that provider.",
  email_invalid: "The provider did not share a usable e-mail address.",
  account_conflict:
    "An account with this e-mail already exists. Sign in with your password, then link the provider.",
  account_disabled: "This account is disabled.",
  mfa_required:
    "Your account uses two-step verification: sign in with your e-mail and password instead.",
  provider_unavailable: "The provider cannot be reached right now. Please try again later.",
  token_exchange_failed: "The provider refused the sign-in. Please try again.",
  invalid_id_token: "The provider's answer could not be verified. Please try again.",
};

/** A sentence for a failed provider sign-in; unknown reasons get a generic one. */
export function oauthErrorMessage(reason: string, provider: string | null): string {
  const name = provider ? provider.charAt(0).toUpperCase() + provider.slice(1) : "the provider";
  return REASONS[reason] ?? `Signing in with ${name} did not work. Please try again.`;
}
