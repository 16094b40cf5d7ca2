"""Django's PostgreSQL backend, aware that tenant tables have the primary key ``(koperasi_id, id)``.

- **GROUP BY.** Django shortens ``GROUP BY`` to a model's primary key when PostgreSQL can infer the other columns
  from it. For a tenant model the database key is ``(koperasi_id, id)`` (see ``kopdes.core.citus``), so ``id`` alone
  no longer determines the row and PostgreSQL refuses the short form: for tenant models every selected column is
  grouped (the same SQL SQLite always gets).
- **Citus sessions.** On a Citus coordinator a transaction that read many shards in parallel (a region's
  statistics) may not then write a coordinator table tied to a reference table (village formations, national
  codes): Citus refuses it. Tenant queries go to one shard anyway, so multi-shard statements run over one
  connection per worker (``citus.multi_shard_modify_mode = sequential``). One catalog query per new connection.
  Under ``KOPDES_CITUS_STRICT=1`` (tests) a multi-shard statement is an error outside
  ``kopdes.core.citus.across_cooperatives``.
"""

from __future__ import annotations

from django.db import DatabaseError
from django.db.backends.postgresql import base, features


def _name_multi_shard_statement(execute, sql, params, many, context):
    """Strict mode: Citus' refusal says only "multi-task query about to be executed"; add the statement."""
    try:
        return execute(sql, params, many, context)
    except DatabaseError as exc:
        if "multi-task query" in str(exc):
            raise type(exc)(f"{exc}\nstatement: {' '.join(str(sql).split())[:600]}") from exc
        raise


class DatabaseFeatures(features.DatabaseFeatures):
    def allows_group_by_selected_pks_on_model(self, model) -> bool:
        from kopdes.core.models import TenantModel

        if issubclass(model, TenantModel):
            return False
        return super().allows_group_by_selected_pks_on_model(model)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures

    kopdes_citus = False
    kopdes_single_shard = False

    def init_connection_state(self) -> None:
        super().init_connection_state()
        with self.connection.cursor() as c:
            c.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
            self.kopdes_citus = bool(c.fetchone())
            if self.kopdes_citus:
                c.execute("SET citus.multi_shard_modify_mode TO 'sequential'")
                from kopdes.core.citus import strict

                self.kopdes_across = 0
                self.kopdes_single_shard = strict()
                if self.kopdes_single_shard:
                    c.execute("SET citus.multi_task_query_log_level = error")
                    if _name_multi_shard_statement not in self.execute_wrappers:
                        self.execute_wrappers.append(_name_multi_shard_statement)
