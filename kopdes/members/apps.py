from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "kopdes.members"
    label = "members"
    verbose_name = "Anggota"

    def ready(self) -> None:
        from kopdes.core.dashboard import register_widget
        from kopdes.core.navigation import MenuItem, register

        from .widgets import members_widget

        register(MenuItem("Anggota & Simpanan", "Daftar anggota", "members:home", "people", order=10))
        register(MenuItem("Anggota & Simpanan", "Daftarkan anggota", "members:new", "person-plus", order=11))
        register(MenuItem("Anggota & Simpanan", "Impor anggota & saldo", "members:import", "file-earmark-arrow-up",
                          order=19))
        register_widget(members_widget)
