"""SQLite side of the ledger's "no DELETE of posted rows" trigger (migration 0004).

The SQLite triggers call ``ledger_guard_off()``, a SQL function this module registers on every SQLite
connection Django opens. It returns 1 only while Django flushes the whole database (``manage.py flush`` and the
test runner's flush, which on SQLite run ``DELETE FROM`` table by table in no fixed order); everywhere else it
returns 0, so a raw ``DELETE`` of a posted entry or of a line of a posted entry is refused by the database. A
connection that does not know the function (the ``sqlite3`` shell) cannot prepare a DELETE on these tables at all.
PostgreSQL needs none of this: its flush uses TRUNCATE, which does not fire row triggers.
"""

from __future__ import annotations

FLAG = "_kopdes_ledger_flushing"


def _register(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return

    def guard_off() -> int:
        return 1 if getattr(connection, FLAG, False) else 0

    connection.connection.create_function("ledger_guard_off", 0, guard_off)


def install() -> None:
    from django.conf import settings
    from django.db.backends.signals import connection_created

    if not any(db.get("ENGINE", "").endswith("sqlite3") for db in settings.DATABASES.values()):
        return
    from django.db.backends.sqlite3.base import DatabaseWrapper

    DatabaseOperations = DatabaseWrapper.ops_class
    connection_created.connect(_register, dispatch_uid="ledger_sqlite_guard_function")
    if getattr(DatabaseOperations.execute_sql_flush, "_ledger_wrapped", False):
        return
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        setattr(self.connection, FLAG, True)
        try:
            return original(self, sql_list)
        finally:
            setattr(self.connection, FLAG, False)

    execute_sql_flush._ledger_wrapped = True
    DatabaseOperations.execute_sql_flush = execute_sql_flush
