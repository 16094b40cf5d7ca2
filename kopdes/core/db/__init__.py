"""Database backends of Kopdes (settings pick ``kopdes.core.db.postgresql`` for every PostgreSQL URL)."""
