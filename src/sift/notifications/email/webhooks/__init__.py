"""What providers report about sent mail (delivered, bounced, dropped, marked as spam),
verified and parsed: SendGrid's signed Event Webhook, SES through signed SNS messages."""
