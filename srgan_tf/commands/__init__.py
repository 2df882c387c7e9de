"""Implementations behind the CLI subcommands (one module each)."""
