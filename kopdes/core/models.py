"""Core data: regions, cooperatives (tenants), people, scoped roles, audit and idempotency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, router
from django.db.models import Q
from django.db.models.fields.related_descriptors import (
    ForwardManyToOneDescriptor,
    ForwardOneToOneDescriptor,
    ReverseManyToOneDescriptor,
    ReverseOneToOneDescriptor,
)
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import validators as v
from .units import Unit


class Region(models.Model):
    """A Kemendagri region: provinsi (1), kabupaten/kota (2), kecamatan (3), desa/kelurahan (4).

    Reference table (Citus: replicated to every node). The code is the primary key and encodes the
    hierarchy, so a region's descendants are ``code__startswith=f"{code}."``.
    """

    class Level(models.IntegerChoices):
        PROVINSI = 1, _("Provinsi")
        KABUPATEN = 2, _("Kabupaten/Kota")
        KECAMATAN = 3, _("Kecamatan")
        DESA = 4, _("Desa/Kelurahan")

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120, db_index=True)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", db_constraint=False
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_kelurahan(self) -> bool:
        return self.level == 4 and self.code.rsplit(".", 1)[-1].startswith("1")

    @property
    def is_kota(self) -> bool:
        return self.level == 2 and int(self.code.split(".")[1]) >= 71

    @property
    def kind_label(self) -> str:
        if self.level == 4:
            return _("Kelurahan") if self.is_kelurahan else _("Desa")
        if self.level == 2:
            return _("Kota") if self.is_kota else _("Kabupaten")
        return self.get_level_display()

    def ancestors(self) -> list[Region]:
        """From the province down to the parent, in one query."""
        parts = self.code.split(".")
        codes = [".".join(parts[:i]) for i in range(1, len(parts))]
        return list(Region.objects.filter(code__in=codes).order_by("level"))

    def path_label(self) -> str:
        return " › ".join([r.name for r in self.ancestors()] + [self.name])

    def descendants(self) -> models.QuerySet[Region]:
        return Region.objects.filter(code__startswith=f"{self.code}.")


class Koperasi(models.Model):
    """A Koperasi Desa/Kelurahan Merah Putih: the tenant. One per desa/kelurahan."""

    class Kind(models.TextChoices):
        DESA = "desa", _("Desa")
        KELURAHAN = "kelurahan", _("Kelurahan")

    class Status(models.TextChoices):
        PEMBENTUKAN = "pembentukan", _("Dalam pembentukan")
        AKTIF = "aktif", _("Aktif")
        NONAKTIF = "nonaktif", _("Tidak aktif")
        BUBAR = "bubar", _("Dibubarkan")

    class FormationModel(models.TextChoices):
        BARU = "baru", _("Pembentukan baru")
        PENGEMBANGAN = "pengembangan", _("Pengembangan koperasi yang ada")
        REVITALISASI = "revitalisasi", _("Revitalisasi")

    slug = models.SlugField(_("kode singkat"), max_length=80, unique=True)
    name = models.CharField(_("nama koperasi"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    region = models.OneToOneField(
        Region,
        on_delete=models.PROTECT,
        related_name="koperasi",
        verbose_name=_("desa/kelurahan"),
        error_messages={"unique": _("Desa/kelurahan ini sudah memiliki KDMP. / This village already has a KDMP.")},
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PEMBENTUKAN)
    formation_model = models.CharField(
        _("model pembentukan"), max_length=14, choices=FormationModel.choices, default=FormationModel.BARU
    )
    # legal data
    badan_hukum_number = models.CharField(_("nomor badan hukum (SK AHU)"), max_length=80, blank=True)
    badan_hukum_date = models.DateField(_("tanggal badan hukum"), null=True, blank=True)
    nib = models.CharField(_("NIB"), max_length=13, blank=True, validators=[v.validate_nib])
    npwp = models.CharField(_("NPWP"), max_length=20, blank=True, validators=[v.validate_npwp])
    akta_number = models.CharField(_("nomor akta notaris"), max_length=80, blank=True)
    akta_date = models.DateField(_("tanggal akta"), null=True, blank=True)
    notary_name = models.CharField(_("nama notaris"), max_length=120, blank=True)
    # contact
    address = models.TextField(_("alamat"), blank=True)
    postal_code = models.CharField(_("kode pos"), max_length=5, blank=True, validators=[v.validate_postal_code])
    phone = models.CharField(_("telepon"), max_length=16, blank=True, validators=[v.validate_phone])
    email = models.EmailField(_("email"), blank=True)
    bank_name = models.CharField(_("bank"), max_length=80, blank=True)
    bank_account = models.CharField(_("nomor rekening"), max_length=30, blank=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("bulan awal tahun buku"), default=1, choices=[(i, str(i)) for i in range(1, 13)]
    )
    founded_on = models.DateField(_("tanggal pendirian"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("koperasi")
        verbose_name_plural = _("koperasi")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.region_id:
            region = self.region
            if region.level != Region.Level.DESA:
                raise ValidationError(
                    {"region": _("Pilih desa/kelurahan (tingkat 4). / Choose a village (level 4).")}
                )
            self.kind = self.Kind.KELURAHAN if region.is_kelurahan else self.Kind.DESA

    @property
    def kabupaten_code(self) -> str:
        return ".".join(self.region_id.split(".")[:2])

    @property
    def provinsi_code(self) -> str:
        return self.region_id.split(".")[0]

    def bylaws_on(self, date: dt.date | None = None) -> Bylaws | None:
        date = date or timezone.localdate()
        return Bylaws.objects.filter(koperasi=self, effective_date__lte=date).order_by("-effective_date", "-id").first()

    @property
    def current_bylaws(self) -> Bylaws | None:
        return self.bylaws_on()


class TenantQuerySet(models.QuerySet):
    def for_koperasi(self, koperasi: Koperasi | int) -> TenantQuerySet:
        kid = koperasi if isinstance(koperasi, int) else koperasi.pk
        return self.filter(koperasi_id=kid)

    def bulk_create(self, objs, *args, **kwargs):
        """``bulk_create`` skips ``pre_save``: the text guard (no control characters) runs here instead."""
        from .validators import check_text

        objs = list(objs)
        for o in objs:
            check_text(o)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        """``bulk_update`` of one cooperative's rows also matches their ``koperasi_id`` (one shard on Citus)."""
        objs = list(objs)
        kids = {getattr(o, "koperasi_id", None) for o in objs}
        qs = self.filter(koperasi_id=kids.pop()) if len(kids) == 1 and None not in kids else self
        return super(TenantQuerySet, qs).bulk_update(objs, fields, batch_size=batch_size)

    def row(self, obj: models.Model) -> TenantQuerySet:
        """The one row ``obj`` as a queryset, by id **and** cooperative: ``Sale.objects.row(sale).update(…)``
        is routed to one shard on Citus (``filter(pk=…)`` alone makes Citus send the UPDATE to every shard)."""
        return self.filter(koperasi_id=obj.koperasi_id, pk=obj.pk)

    def locked(self, koperasi: Koperasi | int) -> TenantQuerySet:
        """Rows of one cooperative, locked ``FOR UPDATE`` on this table only.

        The only way tenant code takes row locks: Citus runs ``FOR UPDATE`` only on a query routed to one shard
        (the ``koperasi_id`` filter), and ``of=("self",)`` keeps a ``select_related`` join from locking (or, on
        Citus, refusing) the joined tables. On SQLite ``select_for_update`` is a no-op; writers are serialised.
        """
        return self.for_koperasi(koperasi).select_for_update(of=("self",))


class TenantModel(models.Model):
    """Base for every tenant-owned row: carries ``koperasi_id`` (Citus distribution column).

    Saves of an existing row update ``WHERE id = … AND koperasi_id = …`` so that Citus routes the UPDATE to one
    shard (without it Citus refuses: "modifying the partition value of rows is not allowed").
    """

    koperasi = models.ForeignKey(Koperasi, on_delete=models.PROTECT, related_name="+", verbose_name=_("koperasi"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        kid = self.__dict__.get("koperasi_id")  # not self.koperasi_id: when deferred, that would recurse here
        if from_queryset is None and kid is not None:
            from_queryset = type(self)._base_manager.filter(koperasi_id=kid)
        return super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        if self.koperasi_id is not None:
            base_qs = base_qs.filter(koperasi_id=self.koperasi_id)
        return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)


class _TenantRelationMixin:
    """Joins and related-object fetches across this relation also match ``koperasi_id``.

    Both sides are tenant rows of the same cooperative, so the extra condition never changes a result; it lets
    Citus keep the join inside one shard group (colocated by ``koperasi_id``) instead of refusing it
    ("the query contains a join that requires repartitioning"). Learned from Citus' django-multitenant
    ``TenantForeignKey``, without its thread-local "current tenant": our rows carry their cooperative.

    The database column and constraint are the same as a plain ``ForeignKey``'s, so ``deconstruct`` reports the
    plain class and migrations do not change; on PostgreSQL the constraint itself is made composite
    ``(koperasi_id, x_id) → (koperasi_id, id)`` by :mod:`kopdes.core.tenancy`.
    """

    def get_extra_restriction(self, alias, related_alias):
        if not (alias and related_alias):
            return None
        from django.db.models.sql.where import WhereNode

        lhs = self.model._meta.get_field("koperasi")
        rhs = self.related_model._meta.get_field("koperasi")
        cond = WhereNode()
        cond.add(lhs.get_lookup("exact")(lhs.get_col(related_alias), rhs.get_col(alias)), "AND")
        return cond

    def validate(self, value, model_instance):
        """``full_clean``'s "does the related row exist" check, within the row's own cooperative (one shard; a row
        of another cooperative does not exist for it — the composite key on PostgreSQL would refuse it too)."""
        kid = getattr(model_instance, "koperasi_id", None)
        if kid is None or self.remote_field.parent_link:
            return super().validate(value, model_instance)
        models.Field.validate(self, value, model_instance)
        if value is None:
            return
        qs = (self.remote_field.model._base_manager.using(router.db_for_read(self.remote_field.model,
                                                                             instance=model_instance))
              .filter(koperasi_id=kid, **{self.remote_field.field_name: value})
              .complex_filter(self.get_limit_choices_to()))
        if not qs.exists():
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={
                "model": self.remote_field.model._meta.verbose_name, "pk": value,
                "field": self.remote_field.field_name, "value": value})

    def get_extra_descriptor_filter(self, instance):
        kid = getattr(instance, "koperasi_id", None)
        return {"koperasi_id": kid} if kid is not None else {}

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, self._plain_path, args, kwargs


def _same_tenant(queryset, instances):
    """``queryset`` narrowed to the cooperatives of ``instances`` (a prefetch then reads one shard on Citus).

    Related tenant rows always belong to the same cooperative as the row they hang from, so the filter never
    drops a result; it only names the distribution column that Django's ``id IN (…)`` prefetch leaves out."""
    kids = {getattr(obj, "koperasi_id", None) for obj in instances}
    if not kids or None in kids:
        return queryset
    return queryset.filter(koperasi_id=kids.pop()) if len(kids) == 1 else queryset.filter(koperasi_id__in=kids)


class _TenantForwardPrefetch:
    """``prefetch_related("parent")`` also filters by ``koperasi_id`` (the plain fetch already does)."""

    def get_prefetch_querysets(self, instances, querysets=None):
        qs = querysets[0] if querysets else self.get_queryset()
        return super().get_prefetch_querysets(instances, [_same_tenant(qs, instances)])


class _TenantForwardManyToOne(_TenantForwardPrefetch, ForwardManyToOneDescriptor):
    pass


class _TenantForwardOneToOne(_TenantForwardPrefetch, ForwardOneToOneDescriptor):
    pass


class _TenantReverseOneToOne(ReverseOneToOneDescriptor):
    """``visit.prescription`` and its prefetch filter by the row's ``koperasi_id`` too."""

    def get_queryset(self, **hints):
        qs = super().get_queryset(**hints)
        instance = hints.get("instance")
        return _same_tenant(qs, [instance]) if instance is not None else qs

    def get_prefetch_querysets(self, instances, querysets=None):
        qs = querysets[0] if querysets else super().get_queryset()
        return super().get_prefetch_querysets(instances, [_same_tenant(qs, instances)])


class _TenantReverseManyToOne(ReverseManyToOneDescriptor):
    """``parent.children`` and ``prefetch_related("children")`` filter the children by the parent's
    ``koperasi_id`` too (one shard on Citus)."""

    @cached_property
    def related_manager_cls(self):
        base = super().related_manager_cls

        class TenantRelatedManager(base):
            def __init__(self, instance):
                super().__init__(instance)
                kid = getattr(instance, "koperasi_id", None)
                if kid is not None:
                    self.core_filters = {**self.core_filters, "koperasi_id": kid}

            def get_prefetch_querysets(self, instances, querysets=None):
                qs = querysets[0] if querysets else super(base, self).get_queryset()
                return super().get_prefetch_querysets(instances, [_same_tenant(qs, instances)])

        return TenantRelatedManager


class _TenantLookupMixin:
    """``Trip.objects.filter(vehicle=vehicle)`` / ``filter(vehicle__in=[…])`` with tenant rows on the right also
    match the rows' ``koperasi_id`` (``vehicle_id = 5 AND koperasi_id = 7``): ids are unique, so the result is the
    same, and Citus routes the statement to that cooperative's shard instead of asking every shard."""

    def __init__(self, lhs, rhs):
        values = list(rhs) if isinstance(rhs, (list, tuple, set, frozenset)) else [rhs]
        kids = {getattr(v, "koperasi_id", None) if isinstance(v, TenantModel) else None for v in values}
        self._tenant_kid = kids.pop() if len(kids) == 1 else None
        super().__init__(lhs, rhs)

    def as_sql(self, compiler, connection):
        sql, params = super().as_sql(compiler, connection)
        lhs_model = getattr(getattr(self.lhs, "target", None), "model", None)
        if (self._tenant_kid is None or getattr(self.lhs, "alias", None) is None or lhs_model is None
                or not issubclass(lhs_model, TenantModel)):
            return sql, params
        ksql, kparams = compiler.compile(lhs_model._meta.get_field("koperasi").get_col(self.lhs.alias))
        return f"({sql} AND {ksql} = %s)", (*params, *kparams, self._tenant_kid)


class _TenantRelatedExact(_TenantLookupMixin, RelatedExact):
    pass


class _TenantRelatedIn(_TenantLookupMixin, RelatedIn):
    pass


class TenantForeignKey(_TenantRelationMixin, models.ForeignKey):
    """A foreign key from one tenant model to another (see :class:`_TenantRelationMixin`)."""

    _plain_path = "django.db.models.ForeignKey"
    forward_related_accessor_class = _TenantForwardManyToOne
    related_accessor_class = _TenantReverseManyToOne


class TenantOneToOneField(_TenantRelationMixin, models.OneToOneField):
    """A one-to-one from one tenant model to another (see :class:`_TenantRelationMixin`)."""

    _plain_path = "django.db.models.OneToOneField"
    forward_related_accessor_class = _TenantForwardOneToOne
    related_accessor_class = _TenantReverseOneToOne


for _field in (TenantForeignKey, TenantOneToOneField):
    _field.register_lookup(_TenantRelatedExact)
    _field.register_lookup(_TenantRelatedIn)


SHU_PARTS = [
    ("shu_cadangan", _("Cadangan")),
    ("shu_jasa_modal", _("Jasa modal anggota")),
    ("shu_jasa_usaha", _("Jasa usaha anggota")),
    ("shu_pengurus", _("Dana pengurus & pengawas")),
    ("shu_karyawan", _("Dana karyawan")),
    ("shu_pendidikan", _("Dana pendidikan")),
    ("shu_sosial", _("Dana sosial")),
    ("shu_pembangunan", _("Dana pembangunan daerah kerja")),
]


def _pct_field(label, default: str):
    return models.DecimalField(label, max_digits=5, decimal_places=2, default=Decimal(default))


class Bylaws(TenantModel):
    """AD/ART parameters. Append-only: a change is a new version with its own effective date."""

    effective_date = models.DateField(_("berlaku mulai"))
    simpanan_pokok = models.DecimalField(_("simpanan pokok"), max_digits=18, decimal_places=2)
    simpanan_wajib_monthly = models.DecimalField(_("simpanan wajib per bulan"), max_digits=18, decimal_places=2)
    shu_cadangan = _pct_field(_("cadangan (%)"), "30")
    shu_jasa_modal = _pct_field(_("jasa modal anggota (%)"), "15")
    shu_jasa_usaha = _pct_field(_("jasa usaha anggota (%)"), "25")
    shu_pengurus = _pct_field(_("dana pengurus & pengawas (%)"), "5")
    shu_karyawan = _pct_field(_("dana karyawan (%)"), "5")
    shu_pendidikan = _pct_field(_("dana pendidikan (%)"), "5")
    shu_sosial = _pct_field(_("dana sosial (%)"), "5")
    shu_pembangunan = _pct_field(_("dana pembangunan daerah kerja (%)"), "10")
    shu_usaha_denda = models.BooleanField(
        _("denda keterlambatan dihitung sebagai jasa usaha"), default=False,
        help_text=_("Baku: tidak. Denda bukan transaksi usaha anggota; bila dihitung, penunggak mendapat SHU lebih."))
    shu_usaha_pemulihan = models.BooleanField(
        _("pemulihan piutang yang dihapus dihitung sebagai jasa usaha"), default=False,
        help_text=_("Baku: tidak. Pelunasan pinjaman yang sudah dihapusbukukan bukan transaksi usaha tahun ini."))
    decided_by = models.CharField(_("dasar keputusan"), max_length=200, blank=True, help_text=_("mis. RAT 2025"))
    created_by = models.ForeignKey("User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name = _("AD/ART")
        verbose_name_plural = _("AD/ART")
        constraints = [
            models.CheckConstraint(condition=Q(simpanan_pokok__gt=0), name="bylaws_pokok_positive"),
            models.CheckConstraint(condition=Q(simpanan_wajib_monthly__gte=0), name="bylaws_wajib_nonneg"),
        ]

    def shu_total(self) -> Decimal:
        return sum((getattr(self, f) for f, _l in SHU_PARTS), Decimal(0))

    def shu_parts(self) -> list[tuple[str, str, Decimal]]:
        return [(f, str(label), getattr(self, f)) for f, label in SHU_PARTS]

    def clean(self) -> None:
        total = self.shu_total()
        if total != Decimal(100):
            raise ValidationError(
                _("Persentase pembagian SHU harus berjumlah 100%% (sekarang %(t)s%%). / SHU shares must add up to 100%%.")
                % {"t": total}
            )
        for f, _label in SHU_PARTS:
            if getattr(self, f) < 0:
                raise ValidationError({f: _("Tidak boleh negatif. / Must not be negative.")})


class User(AbstractUser):
    """A person who logs in: by username or by phone number."""

    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    phone = models.CharField(
        _("nomor HP"), max_length=16, unique=True, null=True, blank=True, validators=[v.validate_phone]
    )
    nik = models.CharField(_("NIK"), max_length=16, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        if self.phone:
            self.phone = v.normalize_phone(self.phone)
        else:
            self.phone = None
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    KETUA = "ketua", _("Ketua")
    SEKRETARIS = "sekretaris", _("Sekretaris")
    BENDAHARA = "bendahara", _("Bendahara")
    MANAJER = "manajer", _("Manajer")
    OPERATOR = "operator", _("Operator/kasir unit")
    PENGAWAS = "pengawas", _("Pengawas")
    ANGGOTA = "anggota", _("Anggota")
    DINAS_KABUPATEN = "dinas_kabupaten", _("Dinas Koperasi kabupaten/kota")
    DINAS_PROVINSI = "dinas_provinsi", _("Dinas Koperasi provinsi")
    NASIONAL = "nasional", _("Satgas/Kementerian (nasional)")


PENGURUS_ROLES = {Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA}
MANAGEMENT_ROLES = PENGURUS_ROLES | {Role.MANAJER}
COOPERATIVE_ROLES = MANAGEMENT_ROLES | {Role.OPERATOR, Role.PENGAWAS, Role.ANGGOTA}
REGION_ROLES = {Role.DINAS_KABUPATEN, Role.DINAS_PROVINSI, Role.NASIONAL}
REGION_ROLE_LEVEL = {Role.DINAS_KABUPATEN: 2, Role.DINAS_PROVINSI: 1}


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self, on: dt.date | None = None) -> RoleAssignmentQuerySet:
        """Roles held on day ``on``; without ``on``, held right now (a role ended today with "Akhiri" is gone
        from the moment it was ended, not from midnight)."""
        if on is None:
            on, moment = timezone.localdate(), timezone.now()
        else:
            moment = timezone.make_aware(dt.datetime.combine(on, dt.time.min))
        return (self.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
                .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=moment)))


class RoleAssignment(models.Model):
    """A role held by a user in one scope: a cooperative, a region, or the whole country.

    For pengurus and pengawas the dates are the term of office.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    koperasi = models.ForeignKey(
        Koperasi, null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(_("unit usaha"), max_length=20, choices=Unit.choices, blank=True)
    title = models.CharField(_("jabatan"), max_length=80, blank=True, help_text=_("mis. Ketua Pengawas"))
    start_date = models.DateField(_("mulai"), default=timezone.localdate)
    end_date = models.DateField(_("berakhir"), null=True, blank=True)
    ended_at = models.DateTimeField(_("diakhiri pada"), null=True, blank=True,
                                    help_text=_("saat peran diakhiri (akses hilang saat itu juga)"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["koperasi_id", "role", "start_date"]
        verbose_name = _("peran pengguna")
        verbose_name_plural = _("peran pengguna")
        indexes = [models.Index(fields=["user", "koperasi"]), models.Index(fields=["koperasi", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="role_term_order",
            ),
        ]

    def __str__(self) -> str:
        scope = self.koperasi or self.region or _("Nasional")
        return f"{self.get_role_display()} — {scope}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.role in COOPERATIVE_ROLES:
            if not self.koperasi_id:
                errors["koperasi"] = _("Peran ini harus terikat pada satu koperasi. / This role needs a cooperative.")
            if self.region_id:
                errors["region"] = _("Peran koperasi tidak memakai wilayah. / Cooperative roles have no region.")
            if self.role == Role.OPERATOR and not self.unit:
                errors["unit"] = _("Operator harus punya unit usaha. / An operator needs a business unit.")
        elif self.role in REGION_ROLE_LEVEL:
            if self.koperasi_id:
                errors["koperasi"] = _("Peran Dinas tidak terikat koperasi. / Dinas roles have no cooperative.")
            if not self.region_id or self.region.level != REGION_ROLE_LEVEL[self.role]:
                errors["region"] = _("Wilayah harus %(lvl)s. / Region must be of level %(lvl)s.") % {
                    "lvl": Region.Level(REGION_ROLE_LEVEL[self.role]).label
                }
        elif self.role == Role.NASIONAL and (self.koperasi_id or self.region_id):
            errors["role"] = _("Peran nasional tidak berwilayah. / The national role has no region.")
        if self.unit and self.role != Role.OPERATOR:
            errors["unit"] = _("Hanya operator yang punya unit. / Only operators have a unit.")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("Tanggal berakhir sebelum tanggal mulai. / End date before start date.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return (self.start_date <= today and (self.end_date is None or self.end_date >= today)
                and (self.ended_at is None or self.ended_at > timezone.now()))


class AuditLog(models.Model):
    """Append-only record of every write: who, when, from where, before/after.

    The database refuses UPDATE (and DELETE on PostgreSQL) on this table: see migration 0002.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)
    koperasi_id_ref = models.BigIntegerField(null=True, blank=True, db_index=True, db_column="koperasi_id")
    action = models.CharField(max_length=40)
    model = models.CharField(max_length=80, blank=True)
    object_pk = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        indexes = [models.Index(fields=["koperasi_id_ref", "-at"]), models.Index(fields=["model", "object_pk"])]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("Jejak audit tidak dapat diubah. / The audit trail cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Jejak audit tidak dapat dihapus. / The audit trail cannot be deleted."))


class IdempotencyRecord(models.Model):
    """The first result of a state-changing request, keyed by the client's idempotency key."""

    koperasi = models.ForeignKey(Koperasi, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=60)
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "scope", "key"], name="idempotency_unique_key"),
            models.UniqueConstraint(
                fields=["scope", "key"], condition=Q(koperasi__isnull=True), name="idempotency_unique_key_global"
            ),
        ]


class LoginThrottle(models.Model):
    """Failed sign-ins on ``/masuk/`` per login identifier (username or normalised phone number).

    After ``MAX_FAILURES`` wrong passwords within ``WINDOW`` the identifier is locked for ``LOCK`` — for every
    account, staff and Dinas officials included, and for identifiers that do not exist (so a lock says nothing about
    whether an account exists). The lock is per identifier, not per address: guessing from many phones counts too.
    """

    key = models.CharField(max_length=160, unique=True)
    failures = models.PositiveSmallIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_ip = models.GenericIPAddressField(null=True, blank=True)

    audit_exclude = True  # failures are written to the audit trail as "login_failed" events instead

    class Meta:
        verbose_name = _("pembatas percobaan masuk")


class GlobalCode(models.Model):
    """A code that must be unique across every cooperative and is looked up before its cooperative is known: the
    public code of a warehouse receipt (the bank's verification link), a sensor's token prefix, a member's portal
    activation code (hashed). Tenant tables keep these codes unique per cooperative only — that is all a table
    distributed by ``koperasi_id`` can enforce — so this global table holds the nationwide uniqueness and the way
    from the code to ``(koperasi_id, object_id)``, after which every query names the tenant. Written through
    ``kopdes.core.codes`` only."""

    class Kind(models.TextChoices):
        RECEIPT = "resi", _("kode publik resi gudang")
        DEVICE = "device", _("awalan token sensor")
        ACTIVATION = "activation", _("kode aktivasi portal")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    code = models.CharField(max_length=64)
    koperasi = models.ForeignKey(Koperasi, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = True  # the owning tenant row is audited

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="core_globalcode_kind_code")]
        indexes = [models.Index(fields=["koperasi", "kind", "object_id"], name="core_globalcode_owner")]
        verbose_name = _("kode nasional")
        verbose_name_plural = _("kode nasional")

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class DocumentCounter(TenantModel):
    """The last number used in one document series of one cooperative and year (``year = 0``: a series that never
    restarts, e.g. member numbers). Written only through :mod:`kopdes.core.numbering`: one upsert that increments
    and returns the number, the row staying locked until the document's transaction ends (gap-free)."""

    series = models.CharField(max_length=30)
    year = models.PositiveIntegerField(default=0)
    last = models.PositiveBigIntegerField(default=0)

    audit_exclude = True  # the numbered document is the record

    class Meta:
        constraints = [models.UniqueConstraint(fields=["koperasi", "series", "year"], name="core_counter_unique")]
        verbose_name = _("penghitung nomor dokumen")
        verbose_name_plural = _("penghitung nomor dokumen")

    def __str__(self) -> str:
        return f"{self.series}/{self.year}: {self.last}"


class TenantLock(TenantModel):
    """A named row of one cooperative that exists to be locked: serialises checks that read many rows and have no
    row of their own to lock (e.g. the LPG 3 kg limit of a buyer's NIK, who need not be a member). Written only
    through :func:`kopdes.core.locks.hold`."""

    name = models.CharField(max_length=80)

    audit_exclude = True

    class Meta:
        constraints = [models.UniqueConstraint(fields=["koperasi", "name"], name="core_tenantlock_unique")]
