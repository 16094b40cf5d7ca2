from django.apps import AppConfig


class WarehouseConfig(AppConfig):
    name = "kopdes.warehouse"
    label = "warehouse"
    verbose_name = "Pergudangan"
