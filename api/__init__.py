"""api: the Litestar app, its settings, schemas and pages, and the command line."""
