"""Kopdes ' PostgreSQL backend: see ``base``."""
