from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "kopdes.ledger"
    label = "ledger"
    verbose_name = "Akuntansi"
