from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "kopdes.savings"
    label = "savings"
    verbose_name = "Simpanan"

    def ready(self) -> None:
        from kopdes.core.navigation import MenuItem, register
        from kopdes.core.units import Unit

        sp = str(Unit.SIMPAN_PINJAM)
        register(MenuItem("Anggota & Simpanan", "Simpanan", "savings:home", "piggy-bank", unit=sp, order=12))
        register(MenuItem("Anggota & Simpanan", "Loket setor/tarik", "savings:counter", "cash-coin", unit=sp,
                          order=13))
        register(MenuItem("Anggota & Simpanan", "Tagihan simpanan wajib", "savings:billing", "calendar-check",
                          unit=sp, order=14))
        register(MenuItem("Anggota & Simpanan", "Tunggakan wajib", "savings:arrears", "exclamation-diamond",
                          unit=sp, order=15))
        register(MenuItem("Anggota & Simpanan", "Mutasi simpanan", "savings:transactions", "list-ul", unit=sp,
                          order=16))
        register(MenuItem("Pengaturan", "Pengaturan simpanan", "savings:settings", "sliders", unit=sp, order=80))
