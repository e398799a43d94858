"""Account security: ProConnect sign-on, two-factor authentication and the lifetime of sessions."""
