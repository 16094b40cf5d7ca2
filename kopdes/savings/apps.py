from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "kopdes.savings"
    label = "savings"
    verbose_name = "Simpanan"
