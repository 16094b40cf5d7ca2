from django.apps import AppConfig


class PharmacyConfig(AppConfig):
    name = "kopdes.pharmacy"
    label = "pharmacy"
    verbose_name = "Apotek Desa"
