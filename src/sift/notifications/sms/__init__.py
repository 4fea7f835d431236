"""SMS notifications through Twilio: a verified phone per user, SMS deliveries beside the
e-mail ones (same table, same worker), Twilio's status callbacks."""
