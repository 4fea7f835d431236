"""Social login and single sign-on: Google, GitHub and any OpenID Connect issuer."""
