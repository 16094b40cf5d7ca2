"""API credentials: personal tokens of users and device tokens, and a per-token rate-limit counter.

A token is shown once when created; only its SHA-256 digest is stored. The first characters (``prefix``)
stay readable so that people can tell their tokens apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopdes.core.models import Koperasi

#: areas a token can be given; each with ``:read`` and/or ``:write``
AREAS = {
    "profile": _("Profil koperasi"),
    "members": _("Anggota"),
    "savings": _("Simpanan"),
    "loans": _("Pinjaman"),
    "retail": _("Gerai (POS, stok)"),
    "warehouse": _("Gudang (suhu, titipan)"),
    "supervision": _("Pembinaan (rekap wilayah)"),
    "self": _("Data saya sebagai anggota"),
}
#: areas whose ``write`` scope means nothing
READ_ONLY_AREAS = {"profile", "supervision", "self"}
ALL_SCOPES = sorted(
    [f"{a}:read" for a in AREAS] + [f"{a}:write" for a in AREAS if a not in READ_ONLY_AREAS]
)
#: devices (warehouse sensors, ``kopdes.warehouse.models.Device``) reach exactly this and nothing else
DEVICE_SCOPE = "warehouse:readings"
#: requests per minute allowed to one device
DEVICE_RATE_LIMIT = 60


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Token pribadi")
        DEVICE = "device", _("Token perangkat")

    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.PERSONAL)
    name = models.CharField(_("nama"), max_length=80)
    prefix = models.CharField(_("awalan"), max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("pemilik"))
    #: a personal token may be narrowed to one cooperative; a device token always is
    koperasi = models.ForeignKey(Koperasi, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("koperasi"))
    #: for device tokens: the warehouse device (id in the warehouse app) or a free label
    device_ref = models.CharField(_("perangkat"), max_length=80, blank=True)
    scopes = models.JSONField(_("cakupan"), default=list)
    rate_limit = models.PositiveIntegerField(_("batas permintaan per menit"), default=120)
    expires_at = models.DateTimeField(_("berlaku sampai"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        indexes = [models.Index(fields=["koperasi", "kind"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @property
    def status_label(self) -> str:
        if self.revoked_at:
            return "dicabut"
        if self.expires_at and self.expires_at <= timezone.now():
            return "kedaluwarsa"
        return "aktif"


class RateCounter(models.Model):
    """Requests made with one credential (``t<token id>`` or ``d<device id>``) in one fixed one-minute window."""

    audit_exclude = True

    key = models.CharField(max_length=40)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="api_rate_counter_unique")]
