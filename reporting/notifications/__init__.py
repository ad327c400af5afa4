"""E-mail notifications: rendered in each recipient's language, written to the
outbox with the change they report, delivered over SMTP after it commits."""
