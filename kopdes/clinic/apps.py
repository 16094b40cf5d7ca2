from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "kopdes.clinic"
    label = "clinic"
    verbose_name = "Klinik Desa"
