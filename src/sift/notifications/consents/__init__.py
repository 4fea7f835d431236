"""Consent to product e-mail, as `audit` records it (`consent.changed`): obeyed here."""
