"""Operations on cooperatives, people and roles. Views, API and CLI all call these."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify

from . import audit
from .errors import DomainError
from .models import Bylaws, Koperasi, Region, Role, RoleAssignment, User
from .signals import koperasi_created
from .validators import normalize_npwp

DEFAULT_POKOK = Decimal("50000")
DEFAULT_WAJIB = Decimal("10000")


def _validation_to_domain(exc: ValidationError) -> DomainError:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        msg = "; ".join(str(m) for e in errors for m in e.messages)
        if field != "__all__":
            msg = f"{field}: {msg}"
        return DomainError(msg, msg, field=field if field != "__all__" else None)
    msg = "; ".join(exc.messages)
    return DomainError(msg, msg)


def default_name(region: Region) -> str:
    kind = "Kelurahan" if region.is_kelurahan else "Desa"
    return f"Koperasi {kind} Merah Putih {region.name}"


def _unique_slug(region: Region) -> str:
    base = slugify(f"kdmp-{region.name}")[:60] or "kdmp"
    slug = base
    if Koperasi.objects.filter(slug=slug).exists():
        slug = f"{base}-{region.code.replace('.', '')}"
    return slug


def get_region(code: str, *, level: int | None = None) -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        raise DomainError(
            f"Kode wilayah {code!r} tidak ditemukan dalam data Kemendagri.",
            f"Region code {code!r} does not exist in the Kemendagri data.",
            field="region",
            code="unknown_region",
        )
    if level is not None and region.level != level:
        raise DomainError(
            f"Wilayah {region.name} bukan {Region.Level(level).label}.",
            f"Region {region.name} is not of level {level}.",
            field="region",
            code="wrong_region_level",
        )
    return region


@transaction.atomic
def create_koperasi(
    region_code: str,
    *,
    name: str | None = None,
    slug: str | None = None,
    by: User | None = None,
    simpanan_pokok: Decimal = DEFAULT_POKOK,
    simpanan_wajib: Decimal = DEFAULT_WAJIB,
    **fields,
) -> Koperasi:
    """Register the KDMP of one desa/kelurahan, with its first AD/ART version. One per desa: enforced."""
    region = get_region(region_code, level=Region.Level.DESA)
    if Koperasi.objects.filter(region=region).exists():
        raise DomainError(
            f"{region.kind_label} {region.name} sudah memiliki KDMP. Satu desa/kelurahan hanya boleh satu KDMP.",
            f"{region.name} already has a KDMP: one per village.",
            field="region",
            code="duplicate_koperasi",
        )
    if "npwp" in fields and fields["npwp"]:
        fields["npwp"] = normalize_npwp(fields["npwp"])
    koperasi = Koperasi(
        region=region,
        kind=Koperasi.Kind.KELURAHAN if region.is_kelurahan else Koperasi.Kind.DESA,
        name=name or default_name(region),
        slug=slug or _unique_slug(region),
        **fields,
    )
    try:
        koperasi.full_clean()
        with transaction.atomic():
            koperasi.save()
    except ValidationError as exc:
        raise _validation_to_domain(exc)
    except IntegrityError:
        raise DomainError(
            f"{region.name} sudah memiliki KDMP.", f"{region.name} already has a KDMP.", field="region",
            code="duplicate_koperasi",
        )
    add_bylaws(
        koperasi,
        effective_date=koperasi.founded_on or timezone.localdate().replace(month=1, day=1),
        simpanan_pokok=simpanan_pokok,
        simpanan_wajib_monthly=simpanan_wajib,
        decided_by="Rapat pendirian",
        by=by,
    )
    koperasi_created.send(sender=Koperasi, koperasi=koperasi, by=by)
    return koperasi


@transaction.atomic
def update_profile(koperasi: Koperasi, data: dict, *, by: User | None = None) -> Koperasi:
    editable = {
        "name", "status", "formation_model", "badan_hukum_number", "badan_hukum_date", "nib", "npwp",
        "akta_number", "akta_date", "notary_name", "address", "postal_code", "phone", "email", "bank_name",
        "bank_account", "fiscal_year_start_month", "founded_on",
    }
    unknown = set(data) - editable
    if unknown:
        raise DomainError(f"Kolom tidak dapat diubah: {', '.join(sorted(unknown))}", "Field not editable",
                          field=sorted(unknown)[0])
    for k, val in data.items():
        if k == "npwp" and val:
            val = normalize_npwp(val)
        setattr(koperasi, k, val)
    try:
        koperasi.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc)
    koperasi.save()
    return koperasi


@transaction.atomic
def add_bylaws(koperasi: Koperasi, *, by: User | None = None, **values) -> Bylaws:
    """A new AD/ART version. Earlier versions stay (history); the newest effective one applies."""
    bylaws = Bylaws(koperasi=koperasi, created_by=by, **values)
    try:
        bylaws.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc)
    bylaws.save()
    return bylaws


def password_problems(password: str, user: User | None = None) -> list[tuple[str, str]]:
    """What Django's password validators (``AUTH_PASSWORD_VALIDATORS``) say against ``password``, as
    (Indonesian, English) pairs; empty when it is acceptable. ``user`` lets the similarity check compare it
    with the username, name, phone and e-mail."""
    messages = {}
    for lang in ("id", "en"):
        with translation.override(lang):
            try:
                validate_password(password, user)
            except ValidationError as exc:
                messages[lang] = list(exc.messages)
            else:
                return []
    return list(zip(messages["id"], messages["en"], strict=True))


def check_password(password: str, user: User | None = None) -> None:
    """Refuse a weak staff password with a DomainError in both languages (field ``password``)."""
    problems = password_problems(password, user)
    if problems:
        raise DomainError(" ".join(i for i, _ in problems), " ".join(e for _, e in problems),
                          field="password", code="weak_password")


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str | None,
    full_name: str = "",
    phone: str | None = None,
    email: str = "",
    nik: str = "",
) -> User:
    username = (username or "").strip()
    if not username:
        raise DomainError("Nama pengguna wajib diisi.", "Username is required.", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(f"Nama pengguna {username!r} sudah dipakai.", f"Username {username!r} is taken.",
                          field="username", code="duplicate_username")
    user = User(username=username, full_name=full_name, phone=phone or None, email=email, nik=nik)
    if password:
        check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise _validation_to_domain(exc)
    user.save()
    return user


@transaction.atomic
def assign_role(
    user: User,
    role: str,
    *,
    koperasi: Koperasi | None = None,
    region: Region | str | None = None,
    unit: str = "",
    title: str = "",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> RoleAssignment:
    if role not in Role.values:
        raise DomainError(f"Peran {role!r} tidak dikenal.", f"Unknown role {role!r}.", field="role")
    if isinstance(region, str):
        region = get_region(region)
    ra = RoleAssignment(
        user=user, role=role, koperasi=koperasi, region=region, unit=unit or "", title=title,
        start_date=start_date or timezone.localdate(), end_date=end_date,
    )
    try:
        ra.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc)
    ra.save()
    return ra


@transaction.atomic
def create_user_with_role(*, role: str, koperasi=None, region=None, unit: str = "", title: str = "",
                          start_date=None, end_date=None, **user_fields) -> tuple[User, RoleAssignment]:
    """A person is never created without a role: both are saved, or neither."""
    if not role:
        raise DomainError("Pengguna harus punya peran.", "A user needs a role.", field="role", code="role_required")
    user = create_user(**user_fields)
    ra = assign_role(user, role, koperasi=koperasi, region=region, unit=unit, title=title,
                     start_date=start_date, end_date=end_date)
    return user, ra


@transaction.atomic
def end_role(assignment: RoleAssignment, *, end_date: dt.date | None = None) -> RoleAssignment:
    """End a role. Without ``end_date`` (or with today or an earlier day) it ends *now*: access is gone from this
    request on, not from midnight. A later ``end_date`` schedules the end of the term for that day."""
    today = timezone.localdate()
    end_date = end_date or today
    if end_date < assignment.start_date:
        raise DomainError("Tanggal berakhir sebelum tanggal mulai.", "End date before start date.", field="end_date",
                          code="end_before_start")
    assignment.end_date = end_date
    fields = ["end_date"]
    if end_date <= today and assignment.ended_at is None:
        assignment.ended_at = timezone.now()
        fields.append("ended_at")
    assignment.save(update_fields=fields)
    return assignment


def log_login(user, request=None) -> None:
    audit.record("login", summary=f"login {user.username}")
