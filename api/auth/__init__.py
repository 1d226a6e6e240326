"""Staff authentication and authorisation (`guards`)."""
