"""The seven business units of a KDMP (Inpres 9/2025). Every journal line carries one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    KANTOR = "kantor", _("Kantor koperasi")
    SEMBAKO = "sembako", _("Gerai sembako")
    SIMPAN_PINJAM = "simpan_pinjam", _("Simpan pinjam")
    KLINIK = "klinik", _("Klinik desa")
    APOTEK = "apotek", _("Apotek desa")
    PERGUDANGAN = "pergudangan", _("Pergudangan & cold storage")
    LOGISTIK = "logistik", _("Logistik desa")
