from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "kopdes.supervision"
    label = "supervision"
    verbose_name = "Pengawasan"
