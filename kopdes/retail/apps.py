from django.apps import AppConfig


class RetailConfig(AppConfig):
    name = "kopdes.retail"
    label = "retail"
    verbose_name = "Gerai Sembako"
