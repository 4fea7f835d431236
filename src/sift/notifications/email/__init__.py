"""E-mail: messages rendered from templates, the providers that send them, and the local
capture that catches development mail."""
