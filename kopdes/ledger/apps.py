from django.apps import AppConfig


def _on_koperasi_created(sender, koperasi, **kwargs):
    from . import chart

    chart.ensure_chart(koperasi)


class LedgerConfig(AppConfig):
    name = "kopdes.ledger"
    label = "ledger"
    verbose_name = "Akuntansi"

    def ready(self) -> None:
        from kopdes.core.signals import koperasi_created

        koperasi_created.connect(_on_koperasi_created, dispatch_uid="ledger_chart_on_koperasi_created")

        from . import dbguard

        dbguard.install()

        from . import sources, ui  # noqa: F401 - sources registers the ledger's own drill-down links

        ui.register_ui()
