from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kopdes.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from kopdes.core.navigation import MenuItem, register

        register(MenuItem("Pengaturan", "Akses API", "api:tokens", "key", order=90))
