from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "kopdes.members"
    label = "members"
    verbose_name = "Anggota"

    def ready(self) -> None:
        from kopdes.core.dashboard import register_widget
        from kopdes.core.navigation import MenuItem, register

        from .access import WRITE_UNITS
        from .widgets import members_widget

        register(MenuItem("Anggota & Simpanan", _("Daftar anggota"), "members:home", "people", order=10))
        register(MenuItem("Anggota & Simpanan", _("Daftarkan anggota"), "members:new", "person-plus", order=11,
                          write_units=WRITE_UNITS))
        register(MenuItem("Anggota & Simpanan", _("Impor anggota & saldo"), "members:import", "file-earmark-arrow-up",
                          order=19, write_units=WRITE_UNITS))
        register_widget(members_widget)
