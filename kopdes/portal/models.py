"""Member portal: announcements of the board, one-time activation codes, login lock-out state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopdes.core.models import TenantModel


class Announcement(TenantModel):
    """A notice from the board to all members (RAT date, new products, price changes…)."""

    class Kind(models.TextChoices):
        RAT = "rat", _("Rapat Anggota (RAT)")
        PRODUK = "produk", _("Produk baru")
        HARGA = "harga", _("Perubahan harga")
        UMUM = "umum", pgettext_lazy("pengumuman", "Umum")

    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.UMUM)
    title = models.CharField(_("judul"), max_length=140)
    body = models.TextField(_("isi"), max_length=4000)
    event_date = models.DateField(_("tanggal acara"), null=True, blank=True, help_text=_("mis. tanggal RAT"))
    published_on = models.DateField(_("tanggal terbit"), default=timezone.localdate)
    expires_on = models.DateField(_("tampil sampai"), null=True, blank=True)
    pinned = models.BooleanField(_("sematkan di atas"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pinned", "-published_on", "-id"]
        verbose_name = _("pengumuman")
        verbose_name_plural = _("pengumuman")
        indexes = [models.Index(fields=["koperasi", "-published_on"], name="portal_ann_k_pub")]

    def __str__(self) -> str:
        return self.title




def visible_announcements(koperasi, on=None):
    on = on or timezone.localdate()
    return (Announcement.objects.filter(koperasi=koperasi, published_on__lte=on)
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on)))


class ActivationCode(TenantModel):
    """A one-time code handed to a member at the counter (printed slip) to set their PIN.

    Only the SHA-256 of the code is kept. Issuing a new code for a member voids the previous one.
    """

    member_id = models.BigIntegerField(_("anggota"), db_index=True)
    code_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(_("keperluan"), max_length=10, default="aktivasi",
                               choices=[("aktivasi", _("Aktivasi")), ("reset", _("Reset PIN"))])
    expires_at = models.DateTimeField(_("berlaku sampai"))
    used_at = models.DateTimeField(_("dipakai"), null=True, blank=True)
    voided_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("kode aktivasi portal")
        verbose_name_plural = _("kode aktivasi portal")

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.voided_at is None and self.expires_at > timezone.now()


class PortalLogin(models.Model):
    """When a member login was activated and last used. Its lock-out is the account's counter in
    :mod:`kopdes.core.throttle` (one lock for the portal and ``/masuk/``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_login")
    activated_at = models.DateTimeField(null=True, blank=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login portal")
        verbose_name_plural = _("login portal")

    @property
    def is_locked(self) -> bool:
        from kopdes.core import throttle

        return throttle.minutes_locked("", key=f"user:{self.user_id}") > 0
