from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SavingsConfig(AppConfig):
    name = "kopdes.savings"
    label = "savings"
    verbose_name = "Simpanan"

    def ready(self) -> None:
        from kopdes.core.navigation import MenuItem, register
        from kopdes.core.units import Unit
        from kopdes.members.access import WRITE_UNITS

        sp = str(Unit.SIMPAN_PINJAM)
        register(MenuItem("Anggota & Simpanan", _("Simpanan"), "savings:home", "piggy-bank", unit=sp, order=12))
        register(MenuItem("Anggota & Simpanan", _("Loket setor/tarik"), "savings:counter", "cash-coin", unit=sp,
                          order=13, write_units=WRITE_UNITS))
        register(MenuItem("Anggota & Simpanan", _("Tagihan simpanan wajib"), "savings:billing", "calendar-check",
                          unit=sp, order=14))
        register(MenuItem("Anggota & Simpanan", _("Tunggakan wajib"), "savings:arrears", "exclamation-diamond",
                          unit=sp, order=15))
        register(MenuItem("Anggota & Simpanan", _("Mutasi simpanan"), "savings:transactions", "list-ul", unit=sp,
                          order=16))
        register(MenuItem("Pengaturan", _("Pengaturan simpanan"), "savings:settings", "sliders", unit=sp, order=80))
