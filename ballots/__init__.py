"""ballots: ballot intake, validation and durable storage."""
