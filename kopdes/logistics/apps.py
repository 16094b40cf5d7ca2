from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "kopdes.logistics"
    label = "logistics"
    verbose_name = "Logistik Desa"
