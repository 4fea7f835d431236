"""The notifications service: In-app, e-mail and SMS notifications and their preferences."""
