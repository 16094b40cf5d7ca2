"""Member portal operations: activation codes, PIN, login with lock-out, announcements.

A member's login is a core ``User`` with the ``anggota`` role in the cooperative, linked from
``members.Member.user``. The PIN is that user's password (hashed by Django). Every door that checks it — the
portal login, the general login page ``/masuk/``, "change PIN" — goes through the one lock-out of
:mod:`kopdes.core.throttle` (``MAX_FAILURES`` wrong PINs → locked for ``LOCK_MINUTES``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kopdes.core import codes, throttle
from kopdes.core import services as core_services
from kopdes.core.errors import DomainError
from kopdes.core.models import Koperasi, Role, RoleAssignment, User
from kopdes.core.validators import normalize_phone
from kopdes.members import services as member_services
from kopdes.members.models import Member

from .models import ActivationCode, Announcement, PortalLogin

MAX_FAILURES = throttle.MAX_FAILURES
LOCK_MINUTES = int(throttle.LOCK.total_seconds() // 60)
CODE_DAYS = 14
CODE_MAX_ATTEMPTS = 5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def normalize_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


def format_code(raw: str) -> str:
    return f"{raw[:4]}-{raw[4:]}"


def staff_roles(user: User | None) -> bool:
    if user is None:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return RoleAssignment.objects.active().filter(user=user).exclude(role=Role.ANGGOTA).exists()


# --- activation ------------------------------------------------------------------------------------------------

@transaction.atomic
def issue_code(member: Member, *, by: User | None = None, purpose: str = "aktivasi") -> tuple[ActivationCode, str]:
    """A new one-time code for this member (the previous open code is voided). Returns ``(code, raw)``."""
    if not member.is_current:
        raise DomainError(f"{member.name} sudah bukan anggota; portal tidak dapat diaktifkan.",
                          "This person is no longer a member.", code="member_closed")
    if staff_roles(member.user):
        raise DomainError(
            "Akun anggota ini juga akun pengurus/petugas: PIN portal tidak dapat diatur lewat kode aktivasi. "
            "Masuk dengan kata sandi biasa.",
            "This member's login is also a staff login: its password cannot be reset with an activation code.",
            code="staff_account")
    now = timezone.now()
    ActivationCode.objects.filter(koperasi_id=member.koperasi_id, member_id=member.pk, used_at__isnull=True,
                                  voided_at__isnull=True).update(voided_at=now)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                code = ActivationCode.objects.create(
                    koperasi_id=member.koperasi_id, member_id=member.pk, code_hash=_hash(raw), purpose=purpose,
                    expires_at=now + dt.timedelta(days=CODE_DAYS), created_by=by,
                )
                # typed on a phone before the cooperative is known: unique nationwide
                codes.claim(codes.Kind.ACTIVATION, code.code_hash, koperasi_id=member.koperasi_id,
                            object_id=code.pk)
            return code, format_code(raw)
        except (IntegrityError, codes.CodeTaken):
            raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    raise DomainError("Gagal membuat kode aktivasi.", "Could not issue an activation code.", code="code_failed")


WEAK = {"123456", "654321", "123123", "111222", "121212", "112233", "000000", "password", "kopdes"}


def check_pin(pin: str, pin2: str | None = None, *, member: Member | None = None) -> str:
    pin = (pin or "").strip()
    if pin2 is not None and pin != (pin2 or "").strip():
        raise DomainError("Ulangi PIN tidak sama.", "The PINs do not match.", field="pin2", code="pin_mismatch")
    if len(pin) < 6:
        raise DomainError("PIN minimal 6 angka/huruf.", "The PIN needs at least 6 characters.", field="pin",
                          code="pin_short")
    if len(pin) > 64:
        raise DomainError("PIN terlalu panjang.", "The PIN is too long.", field="pin", code="pin_long")
    low = pin.lower()
    digits_run = "01234567890" * 2
    if (low in WEAK or len(set(low)) <= 2 or low in digits_run or low in digits_run[::-1]):
        raise DomainError("PIN terlalu mudah ditebak; pilih yang lain.", "The PIN is too easy to guess.",
                          field="pin", code="pin_weak")
    if member is not None:
        bd = member.birth_date
        if bd and low in {bd.strftime("%d%m%y"), bd.strftime("%d%m%Y"), bd.strftime("%Y%m%d")}:
            raise DomainError("PIN tidak boleh tanggal lahir.", "The PIN must not be your birth date.",
                              field="pin", code="pin_weak")
        if member.nik and low in member.nik:
            raise DomainError("PIN tidak boleh bagian dari NIK.", "The PIN must not be part of your NIK.",
                              field="pin", code="pin_weak")
    return pin


def _matches(member: Member, identifier: str) -> bool:
    ident = (identifier or "").strip()
    if not ident:
        return False
    if ident == member.number or (ident.isdigit() and ident.zfill(5) == member.number):
        return True
    phone = normalize_phone(ident)
    return bool(member.phone) and phone == member.phone


def _username_for(member: Member) -> str:
    base = f"{member.koperasi.slug}-{member.number}"[:140]
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def activate(code: str, identifier: str, pin: str, pin2: str) -> User:
    """Member enters the code from the slip, their member number (or phone) and a new PIN twice.

    Not one transaction on purpose: a wrong member number is counted on the code (``CODE_MAX_ATTEMPTS`` voids
    it) and that count must survive the refusal. The activation itself is atomic.
    """
    raw = normalize_code(code)
    bad = DomainError("Kode aktivasi atau nomor anggota salah, atau kode sudah tidak berlaku.",
                      "Wrong activation code or member number, or the code is no longer valid.", field="code",
                      code="bad_activation")
    if len(raw) != 8:
        raise bad
    with transaction.atomic():
        # the code names its cooperative only once found (a nationwide lookup); then the row is locked there
        found = codes.resolve(codes.Kind.ACTIVATION, _hash(raw))
        act = ActivationCode.objects.locked(found[0]).filter(pk=found[1]).first() if found else None
        if act is None or not act.is_open:
            raise bad
        member = (Member.objects.select_related("koperasi", "user")
                  .filter(pk=act.member_id, koperasi_id=act.koperasi_id).first())
        if member is None or not member.is_current:
            raise bad
        mismatch = not _matches(member, identifier)
        if mismatch:
            act.attempts += 1
            if act.attempts >= CODE_MAX_ATTEMPTS:
                act.voided_at = timezone.now()
            act.save(update_fields=["attempts", "voided_at"])
    if mismatch:
        raise bad
    pin = check_pin(pin, pin2, member=member)
    with transaction.atomic():
        act = ActivationCode.objects.locked(act.koperasi_id).get(pk=act.pk)
        if not act.is_open:
            raise bad
        member = Member.objects.locked(act.koperasi_id).select_related("koperasi").get(pk=member.pk)
        user = member.user
        if user is None:
            phone = member.phone if member.phone and not User.objects.filter(phone=member.phone).exists() else None
            user = core_services.create_user(username=_username_for(member), password=None,
                                             full_name=member.name, phone=phone)
            member_services.link_user(member, user)
        elif staff_roles(user):
            raise bad
        if not RoleAssignment.objects.active().filter(user=user, koperasi_id=member.koperasi_id,
                                                      role=Role.ANGGOTA).exists():
            core_services.assign_role(user, Role.ANGGOTA, koperasi=member.koperasi)
        user.set_password(pin)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        act.used_at = timezone.now()
        act.save(update_fields=["used_at"])
        PortalLogin.objects.update_or_create(user=user, defaults={"activated_at": timezone.now()})
        throttle.reset(key=throttle.account_key(user))
    return user


# --- login and lock-out -----------------------------------------------------------------------------------------

def find_login(identifier: str, koperasi: Koperasi | None = None) -> User | None:
    """The member login named by a phone number, a member number (with the cooperative) or a username."""
    ident = (identifier or "").strip()
    if not ident:
        return None
    phone = normalize_phone(ident)
    if phone.startswith("628") and phone.isdigit() and len(phone) >= 10:
        user = User.objects.filter(phone=phone).first()
        if user is not None:
            return user
        qs = Member.objects.filter(phone=phone, user__isnull=False, status__in=Member.CURRENT_STATUSES)
        if koperasi is not None:
            qs = qs.filter(koperasi=koperasi)
        users = {m.user_id for m in qs}
        return User.objects.filter(pk=users.pop()).first() if len(users) == 1 else None
    if koperasi is not None and ident.isdigit() and len(ident) <= 8:
        m = Member.objects.filter(koperasi=koperasi, number=ident.zfill(5), user__isnull=False).first()
        if m is not None:
            return m.user
    return User.objects.filter(username__iexact=ident).first()


def is_member_login(user: User) -> bool:
    return Member.objects.filter(user=user).exists() and not staff_roles(user)


def is_locked(user: User) -> bool:
    """The member's login is locked (the one lock-out of :mod:`kopdes.core.throttle`, shared with ``/masuk/``)."""
    return throttle.minutes_locked("", key=throttle.account_key(user)) > 0


def _minutes_error(minutes: int) -> DomainError:
    return DomainError(
        f"Terlalu banyak percobaan yang salah. Akun dikunci; coba lagi dalam {minutes} menit "
        "atau minta petugas koperasi membuka kunci.",
        f"Too many failed attempts. The login is locked; try again in {minutes} minutes or ask the staff.",
        field="pin", code="locked")


def _wrong(left: int, minutes: int, *, field: str = "pin", code: str = "bad_login") -> DomainError:
    if minutes:
        return _minutes_error(minutes)
    if code == "bad_pin":
        return DomainError(f"PIN lama salah. Sisa percobaan: {left}.", f"The current PIN is wrong. Attempts left: "
                           f"{left}.", field=field, code=code)
    return DomainError(f"Nomor HP/nomor anggota atau PIN salah. Sisa percobaan: {left}.",
                       f"Wrong phone/member number or PIN. Attempts left: {left}.", field=field, code=code)


def _unknown_key(identifier: str, koperasi: Koperasi | None) -> str:
    """A wrong identifier is answered exactly like a wrong PIN (attempts left, then locked), so the portal does not
    tell whether a phone or member number has a login: an unknown phone number shares its counter with ``/masuk/``;
    a member number is counted per cooperative."""
    ident = (identifier or "").strip()[:100]
    phone = normalize_phone(ident)
    if not (phone.startswith("628") and phone.isdigit()) and koperasi is not None:
        ident = f"anggota:{koperasi.slug}:{ident}"
    return throttle.identifier_key(ident)


def login_member(identifier: str, pin: str, koperasi: Koperasi | None = None, *, ip: str | None = None) -> User:
    """Check a member's identifier and PIN under the account's (and the address's) lock-out: the attempt is counted
    before the PIN is looked at, and a locked login is refused without checking it."""
    user = find_login(identifier, koperasi)
    known = user is not None and user.is_active
    try:
        attempt = throttle.begin(key=throttle.account_key(user) if known else _unknown_key(identifier, koperasi),
                                 ip=ip)
    except throttle.Locked as exc:
        raise _minutes_error(exc.minutes) from None
    if not known:
        User().set_password(pin or "x")  # same work as a real check
        raise _wrong(*attempt.failed())
    if not user.check_password(pin or ""):
        raise _wrong(*attempt.failed())
    attempt.succeeded()
    PortalLogin.objects.update_or_create(user=user, defaults={"last_login_at": timezone.now()})
    return user


@transaction.atomic
def unlock(user: User) -> None:
    """Open a locked member login: the one counter of this account, for the portal and ``/masuk/`` alike."""
    throttle.reset(key=throttle.account_key(user))


@transaction.atomic
def reset_pin(member: Member, *, by: User | None = None) -> str:
    """Operator, with the member present: the old PIN stops working; a new one-time code is printed."""
    if member.user is not None:
        if staff_roles(member.user):
            raise DomainError("Akun ini juga akun pengurus/petugas; atur kata sandinya di menu pengguna.",
                              "This login is also a staff login.", code="staff_account")
        member.user.set_unusable_password()
        member.user.save(update_fields=["password"])
        unlock(member.user)
    _code, raw = issue_code(member, by=by, purpose="reset")
    return raw


def change_pin(user: User, member: Member, old: str, new: str, new2: str, *, ip: str | None = None) -> None:
    """The old PIN is checked under the same lock-out as the login (a session must not be a way to guess it).
    Not one transaction: the counted attempt must stay counted when the change is refused."""
    try:
        attempt = throttle.begin(key=throttle.account_key(user), ip=ip)
    except throttle.Locked as exc:
        raise _minutes_error(exc.minutes) from None
    if not user.check_password(old or ""):
        left, minutes = attempt.failed()
        raise _wrong(left, minutes, field="old", code="bad_pin")
    attempt.succeeded()
    user.set_password(check_pin(new, new2, member=member))
    with transaction.atomic():
        user.save(update_fields=["password"])


# --- announcements ----------------------------------------------------------------------------------------------

ANNOUNCEMENT_FIELDS = ("kind", "title", "body", "event_date", "published_on", "expires_on", "pinned")


@transaction.atomic
def save_announcement(koperasi: Koperasi, data: dict, *, instance: Announcement | None = None,
                      by: User | None = None) -> Announcement:
    ann = instance or Announcement(koperasi=koperasi, created_by=by)
    if ann.koperasi_id != koperasi.pk:
        raise DomainError("Pengumuman tidak ditemukan.", "Announcement not found.", code="not_found")
    for f in ANNOUNCEMENT_FIELDS:
        if f in data:
            setattr(ann, f, data[f])
    if not (ann.title or "").strip():
        raise DomainError("Judul wajib diisi.", "A title is required.", field="title", code="required")
    if ann.expires_on and ann.published_on and ann.expires_on < ann.published_on:
        raise DomainError("Tanggal tampil sampai sebelum tanggal terbit.", "Expiry before publication.",
                          field="expires_on")
    ann.save()
    return ann


@transaction.atomic
def delete_announcement(ann: Announcement) -> None:
    ann.delete()


def members_of(user: User):
    return (Member.objects.filter(user=user).select_related("koperasi")
            .filter(Q(status__in=Member.CURRENT_STATUSES) | Q(status=Member.Status.KELUAR)).order_by("koperasi_id"))
