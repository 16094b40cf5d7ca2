"""Member registry operations: register, edit, activate, exit with settlement, member card lookup.

Every function is atomic and refuses with :class:`kopdes.core.errors.DomainError` (Indonesian first, English
second, ``field`` naming the input). Views, the import, the CLI and other units call these.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kopdes.core import numbering
from kopdes.core.errors import DomainError
from kopdes.core.identity import NikInfo, check_adult, is_digits, parse_nik, validate_nik
from kopdes.core.models import Koperasi, Region, User
from kopdes.core.units import Unit
from kopdes.core.validators import control_character, control_message, normalize_phone, validate_phone

from .models import CROP_CODES, Member, Occupation, Settlement

ZERO = Decimal("0.00")
OCCUPATIONS = frozenset(Occupation.values)
CARD_PREFIX = "KOPDES-A"

#: fields an operator may set on a member (register and edit)
EDITABLE_FIELDS = (
    "nik", "kk", "name", "birth_place", "birth_date", "sex", "address", "rt", "rw", "dusun", "phone",
    "occupation", "land_area_ha", "crops", "farmer_group", "heir_name", "heir_relation", "heir_nik",
    "heir_phone", "photo", "wajib_autodebit", "registered_on",
)


# --- validation --------------------------------------------------------------------------------------------

def _split(msg: str) -> tuple[str, str]:
    if " / " in msg:
        a, b = msg.split(" / ", 1)
        return a, b
    return msg, msg


def _nik_error(exc: ValidationError, field: str, code: str = "nik") -> DomainError:
    msg_id, msg_en = _split("; ".join(exc.messages))
    return DomainError(msg_id, msg_en, field=field, code=code)


class RegionCache:
    """Province and kabupaten codes known to the region table, loaded once (for imports of many rows)."""

    def __init__(self):
        self.codes = set(Region.objects.filter(level__lte=2).values_list("code", flat=True))

    def check(self, info: NikInfo, field: str = "nik") -> None:
        if info.province_code not in self.codes:
            raise DomainError(f"Kode provinsi NIK ({info.province_code}) tidak dikenal.",
                              f"Unknown province code in NIK ({info.province_code}).", field=field, code="nik")
        if info.kabupaten_code not in self.codes:
            raise DomainError(f"Kode kabupaten/kota NIK ({info.kabupaten_code}) tidak dikenal.",
                              f"Unknown kabupaten/kota code in NIK ({info.kabupaten_code}).", field=field,
                              code="nik")


def check_nik(nik: str, *, birth_date: dt.date | None = None, sex: str | None = None,
              regions: RegionCache | None = None, field: str = "nik") -> NikInfo:
    """Structure, known region, and agreement with the typed birth date and sex. Raises DomainError."""
    try:
        info = parse_nik(nik, birth_date=birth_date) if regions else validate_nik(nik)
    except ValidationError as exc:
        raise _nik_error(exc, field)
    if regions:
        regions.check(info, field)
    if birth_date:
        try:
            validate_nik(nik, birth_date=birth_date, check_region=False)
        except ValidationError as exc:
            raise _nik_error(exc, "birth_date", "nik_birth_date")
    if sex:
        try:
            validate_nik(nik, sex=sex, check_region=False)
        except ValidationError as exc:
            raise _nik_error(exc, "sex", "nik_sex")
    return info


def clean_member_data(data: dict, *, regions: RegionCache | None = None, registering_on: dt.date | None = None) -> dict:
    """Normalize and check the fields of one member (no database access except the region check).
    ``registering_on``: a new member, who must be an adult on that day (``kopdes.core.identity.check_adult``)."""
    d = dict(data)
    for key in ("nik", "kk", "name", "birth_place", "address", "rt", "rw", "dusun", "phone", "heir_name",
                "heir_relation", "heir_nik", "heir_phone", "farmer_group"):
        if key in d:
            d[key] = "" if d[key] is None else str(d[key])
            char = control_character(d[key])
            if char:
                raise DomainError(*control_message(char), field=key, code="control_character")
            d[key] = d[key].strip()
    if "name" in d:
        d["name"] = " ".join(d["name"].split())
        if not d["name"]:
            raise DomainError("Nama lengkap wajib diisi.", "Full name is required.", field="name",
                              code="required")
        if len(d["name"]) > 120:
            raise DomainError("Nama terlalu panjang (maks. 120 huruf).", "Name too long (max 120).", field="name")
    if "sex" in d and d["sex"]:
        sex = str(d["sex"]).strip().upper()[:1]
        if sex not in ("L", "P"):
            raise DomainError("Jenis kelamin harus L atau P.", "Sex must be L or P.", field="sex")
        d["sex"] = sex
    if "nik" in d:
        info = check_nik(d["nik"], birth_date=d.get("birth_date") or None, sex=d.get("sex") or None,
                         regions=regions)
        d.setdefault("birth_date", None)
        d["birth_date"] = d["birth_date"] or info.birth_date
        d["sex"] = d.get("sex") or info.sex
    if registering_on is not None and d.get("birth_date"):
        try:
            check_adult(d["birth_date"], registering_on)
        except ValidationError as exc:
            msg_id, msg_en = _split(exc.messages[0])
            raise DomainError(msg_id, msg_en, field="birth_date", code=exc.code or "too_young")
    if d.get("kk") and not is_digits(d["kk"], 16):
        raise DomainError("Nomor KK harus 16 digit angka.", "Family card (KK) number must be 16 digits.",
                          field="kk")
    for key in ("rt", "rw"):
        if d.get(key):
            if not is_digits(d[key]) or len(d[key]) > 3:
                raise DomainError(f"{key.upper()} harus angka (maks. 3 digit).",
                                  f"{key.upper()} must be a number (max 3 digits).", field=key)
            d[key] = d[key].zfill(3)
    for key in ("phone", "heir_phone"):
        if d.get(key):
            try:
                validate_phone(d[key])
            except ValidationError as exc:
                msg_id, msg_en = _split(exc.messages[0])
                raise DomainError(msg_id, msg_en, field=key, code="phone")
            d[key] = normalize_phone(d[key])
    if d.get("heir_nik"):
        check_nik(d["heir_nik"], regions=regions, field="heir_nik")
    if "occupation" in d:
        occ = d["occupation"] or Occupation.LAINNYA
        if occ not in OCCUPATIONS:
            raise DomainError(f"Pekerjaan {occ!r} tidak dikenal.", f"Unknown occupation {occ!r}.",
                              field="occupation")
        d["occupation"] = occ
    if "land_area_ha" in d:
        val = d["land_area_ha"]
        if val in (None, ""):
            val = Decimal("0")
        try:
            val = Decimal(str(val).replace(",", "."))
        except Exception:  # noqa: BLE001
            raise DomainError("Luas lahan harus angka (hektare).", "Land area must be a number (ha).",
                              field="land_area_ha")
        if val < 0 or val > Decimal("100000"):
            raise DomainError("Luas lahan tidak wajar.", "Land area out of range.", field="land_area_ha")
        d["land_area_ha"] = val.quantize(Decimal("0.001"))
    if "crops" in d:
        crops = d["crops"]
        if isinstance(crops, str):
            crops = [c.strip().lower().replace(" ", "_") for c in crops.replace(";", ",").split(",")]
        crops = [c for c in crops or [] if c]
        unknown = [c for c in crops if c not in CROP_CODES]
        if unknown:
            raise DomainError(f"Komoditas tidak dikenal: {', '.join(unknown)}.",
                              f"Unknown crop(s): {', '.join(unknown)}.", field="crops")
        d["crops"] = ",".join(dict.fromkeys(crops))
    if d.get("birth_date") and d["birth_date"] > timezone.localdate():
        raise DomainError("Tanggal lahir di masa depan.", "Birth date is in the future.", field="birth_date")
    return d


def index_niks(koperasi_id: int, niks) -> None:
    """Record that these NIKs have a member record in this cooperative (the global NIK index; idempotent)."""
    from .models import NikMembership

    rows = [NikMembership(nik=n, koperasi_id=koperasi_id) for n in sorted({n for n in niks if n})]
    NikMembership.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)


def other_memberships(koperasi: Koperasi, nik: str) -> list[str]:
    """Names of other cooperatives where this NIK is a current member (a warning for the operator): the global NIK
    index names the candidates, then each candidate's own table (one shard each) says whether it is current."""
    from .models import NikMembership

    if not nik:
        return []
    elsewhere = list(NikMembership.objects.filter(nik=nik).exclude(koperasi_id=koperasi.pk)
                     .values_list("koperasi_id", flat=True))
    current = [kid for kid in elsewhere
               if Member.objects.filter(koperasi_id=kid, nik=nik, status__in=Member.CURRENT_STATUSES).exists()]
    return sorted(Koperasi.objects.filter(pk__in=current).values_list("name", flat=True))


def _duplicate_nik_error(nik: str, existing: Member | None = None) -> DomainError:
    who = f" ({existing.number} {existing.name})" if existing else ""
    return DomainError(
        f"NIK {nik} sudah terdaftar sebagai anggota aktif/calon di koperasi ini{who}.",
        f"NIK {nik} is already a current member of this cooperative{who}.",
        field="nik", code="duplicate_nik",
    )


def format_number(seq: int) -> str:
    return f"{seq:05d}"


MEMBER_SERIES = "members.AGT"


def next_seq(koperasi: Koperasi, count: int = 1) -> int:
    """The next member number(s) (core numbering, series ``members.AGT``, never restarting): the first of
    ``count`` consecutive numbers; the counter row stays locked until the registration commits."""
    first = numbering.reserve(koperasi, MEMBER_SERIES, 0, count=count)
    assert first is not None
    return first


# --- registry ----------------------------------------------------------------------------------------------

@transaction.atomic
def register_member(koperasi: Koperasi, *, by: User | None = None, **data) -> Member:
    """A new calon anggota. Becomes anggota when simpanan pokok is paid (``kopdes.savings.services.pay_pokok``)."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(sorted(unknown))}", "Unknown field",
                          field=sorted(unknown)[0])
    for req, label in (("nik", "NIK"), ("name", "Nama lengkap")):
        if not data.get(req):
            raise DomainError(f"{label} wajib diisi.", f"{req} is required.", field=req, code="required")
    d = clean_member_data(data, registering_on=data.get("registered_on") or timezone.localdate())
    existing = Member.objects.filter(koperasi=koperasi, nik=d["nik"], status__in=Member.CURRENT_STATUSES).first()
    if existing:
        raise _duplicate_nik_error(d["nik"], existing)
    seq = next_seq(koperasi)
    d.setdefault("registered_on", None)
    d["registered_on"] = d["registered_on"] or timezone.localdate()
    member = Member(koperasi=koperasi, seq=seq, number=format_number(seq), status=Member.Status.CALON, **d)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise _duplicate_nik_error(d["nik"])
    index_niks(koperasi.pk, [member.nik])
    return member


@transaction.atomic
def update_member(member: Member, data: dict, *, by: User | None = None) -> Member:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"Kolom tidak dapat diubah: {', '.join(sorted(unknown))}", "Field not editable",
                          field=sorted(unknown)[0])
    member = Member.objects.locked(member.koperasi_id).get(pk=member.pk)
    data = dict(data)
    if "nik" in data and data["nik"] != member.nik:
        # a corrected NIK: birth date and sex come from it unless typed (then they must agree)
        data = {k: v for k, v in data.items() if not (k in ("birth_date", "sex") and not v)}
    elif {"nik", "birth_date", "sex"} & set(data):
        for f in ("nik", "birth_date", "sex"):
            if not data.get(f):
                data[f] = getattr(member, f)
    d = clean_member_data(data)
    if "nik" in d and d["nik"] != member.nik and member.is_current:
        dup = (Member.objects.filter(koperasi_id=member.koperasi_id, nik=d["nik"],
                                     status__in=Member.CURRENT_STATUSES).exclude(pk=member.pk).first())
        if dup:
            raise _duplicate_nik_error(d["nik"], dup)
    if not member.is_current and set(d) - {"phone", "heir_name", "heir_relation", "heir_nik", "heir_phone",
                                           "address", "photo"}:
        raise DomainError("Data anggota yang sudah keluar hanya dapat diubah kontak dan ahli warisnya.",
                          "A former member's record only allows contact and heir changes.", code="member_closed")
    for k, v in d.items():
        setattr(member, k, v)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise _duplicate_nik_error(d.get("nik", member.nik))
    if "nik" in d:
        index_niks(member.koperasi_id, [member.nik])
    return member


@transaction.atomic
def activate_member(member: Member, *, date: dt.date | None = None) -> Member:
    """calon → anggota. Called by savings when simpanan pokok is paid."""
    if member.status == Member.Status.AKTIF:
        return member
    if member.status != Member.Status.CALON:
        raise DomainError(f"{member.name} sudah tidak menjadi anggota ({member.get_status_display()}).",
                          "This person is no longer a member.", code="member_closed")
    member.status = Member.Status.AKTIF
    member.joined_on = date or timezone.localdate()
    member.save(update_fields=["status", "joined_on", "updated_at"])
    return member


@transaction.atomic
def link_user(member: Member, user: User | None) -> Member:
    """Attach the member-portal login (or detach with ``None``)."""
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    return member


# --- member card -------------------------------------------------------------------------------------------

def card_payload(member: Member) -> str:
    """Text in the member card's QR code: ``KOPDES-A|<cooperative slug>|<member number>``."""
    return f"{CARD_PREFIX}|{member.koperasi.slug}|{member.number}"


def find_member_by_card(koperasi: Koperasi, scanned_text: str) -> Member | None:
    """The member of *this* cooperative a scanned card (or typed number / NIK) names, or None.

    Accepts the QR text of the member card, a bare member number, or a NIK. A card of another cooperative
    gives None. Former members are returned too (check ``member.is_active`` before selling on credit).
    """
    text = (scanned_text or "").strip()
    if not text:
        return None
    qs = Member.objects.filter(koperasi=koperasi)
    if text.upper().startswith(CARD_PREFIX + "|"):
        parts = text.split("|")
        if len(parts) != 3 or parts[1] != koperasi.slug:
            return None
        return qs.filter(number=parts[2].strip()).first()
    if len(text) == 16 and text.isdigit():
        return qs.filter(nik=text).order_by("-seq").first()
    return qs.filter(number=text).first() or (qs.filter(number=text.zfill(5)).first() if text.isdigit() else None)


# --- exit and settlement -----------------------------------------------------------------------------------

@transaction.atomic
def exit_member(
    member: Member,
    *,
    reason: str,
    date: dt.date | None = None,
    note: str = "",
    payee_name: str = "",
    payee_relation: str = "",
    payee_nik: str = "",
    by: User | None = None,
) -> Settlement:
    """keluar / diberhentikan / meninggal: close the savings, offset debts, record the refund owed.

    One journal entry: debit simpanan pokok/wajib/sukarela (member lines), credit each offset debt's account and
    2115 Utang pengembalian simpanan for the net refund. The payout follows with :func:`pay_settlement`.
    For a deceased member the payee is the heir (from the record, or given here).
    """
    from kopdes.savings import services as savings_services

    from .debts import outstanding_debts

    if reason not in Member.EXIT_STATUSES:
        raise DomainError("Alasan keluar tidak dikenal.", "Unknown exit reason.", field="reason")
    member = Member.objects.locked(member.koperasi_id).get(pk=member.pk)
    if not member.is_current:
        raise DomainError(f"{member.name} sudah tercatat {member.get_status_display().lower()}.",
                          "This member has already left.", code="member_closed")
    date = date or timezone.localdate()
    if member.joined_on and date < member.joined_on or date < member.registered_on:
        raise DomainError("Tanggal keluar sebelum tanggal masuk.", "Exit date before joining date.", field="date")
    if reason == Member.Status.MENINGGAL:
        payee_name = payee_name or member.heir_name
        payee_relation = payee_relation or member.heir_relation
        payee_nik = payee_nik or member.heir_nik
        if not payee_name:
            raise DomainError("Anggota meninggal: isi nama ahli waris penerima pengembalian simpanan.",
                              "Deceased member: give the heir who receives the refund.", field="payee_name",
                              code="heir_required")
    else:
        payee_name = payee_name or member.name
        payee_nik = payee_nik or member.nik
    if payee_nik:
        check_nik(payee_nik, field="payee_nik")

    balances = savings_services.balances(member)
    savings_total = balances["pokok"] + balances["wajib"] + balances["sukarela"]
    debts = outstanding_debts(member)
    remaining = savings_total
    offsets = []  # (provider, debt, amount)
    for provider, debt in debts:
        amount = min(remaining, debt.amount)
        offsets.append((provider, debt, amount))
        remaining -= amount
    offset_total = sum((a for _p, _d, a in offsets), ZERO)
    debt_total = sum((d.amount for _p, d in debts), ZERO)
    net = savings_total - offset_total

    settlement = Settlement(
        koperasi_id=member.koperasi_id, member=member, date=date, reason=reason, note=note,
        pokok=balances["pokok"], wajib=balances["wajib"], sukarela=balances["sukarela"], debt_total=debt_total,
        offset_total=offset_total, net_refund=net,
        debts=[{"source": d.source, "label": d.label, "amount": str(d.amount), "offset": str(a),
                "account": d.account} for _p, d, a in offsets],
        payee_name=payee_name, payee_relation=payee_relation, payee_nik=payee_nik, created_by=by,
    )
    extra_credits = [(d.account, a, d.unit, d.label) for _p, d, a in offsets if a > 0]
    if net > 0:
        extra_credits.append(("2115", net, Unit.SIMPAN_PINJAM, "Utang pengembalian simpanan"))
    entry = savings_services.close_accounts(
        member, date=date, credits=extra_credits, by=by,
        memo=f"Penyelesaian keanggotaan {member.number} {member.name} ({Member.Status(reason).label})",
    )
    if entry is not None:
        settlement.entry_id = entry.pk
        settlement.entry_number = getattr(entry, "reference", str(entry.pk))
    member.status = reason
    member.left_on = date
    member.exit_note = note[:200]
    member.wajib_autodebit = False
    member.save(update_fields=["status", "left_on", "exit_note", "wajib_autodebit", "updated_at"])
    settlement.save()
    for provider, debt, amount in offsets:
        if amount > 0 and provider.on_offset is not None:
            provider.on_offset(member, debt, amount, entry)
    return settlement


@transaction.atomic
def pay_settlement(settlement: Settlement, *, method: str = "tunai", reference: str = "",
                   date: dt.date | None = None, by: User | None = None) -> Settlement:
    """Pay the refund to the member (or heir): debit 2115, credit cash/bank."""
    from kopdes.ledger.services import Line, post
    from kopdes.savings.models import METHOD_ACCOUNT, PaymentMethod

    settlement = Settlement.objects.locked(settlement.koperasi_id).select_related("member").get(pk=settlement.pk)
    if settlement.paid_on is not None:
        raise DomainError("Pengembalian simpanan ini sudah dibayar.", "This refund has already been paid.",
                          code="already_paid")
    if settlement.net_refund <= 0:
        raise DomainError("Tidak ada yang perlu dibayarkan.", "Nothing to pay.", code="nothing_to_pay")
    if method not in METHOD_ACCOUNT:
        raise DomainError("Cara bayar tidak dikenal.", "Unknown payment method.", field="method")
    if method != PaymentMethod.TUNAI and not reference:
        raise DomainError("Isi nomor referensi transfer/QRIS.", "Give the transfer/QRIS reference.",
                          field="reference", code="reference_required")
    date = date or timezone.localdate()
    if date < settlement.date:
        raise DomainError("Tanggal bayar sebelum tanggal penyelesaian.", "Payment before settlement date.",
                          field="date")
    m = settlement.member
    entry = post(
        settlement.koperasi, date=date,
        memo=f"Pembayaran pengembalian simpanan {m.number} {m.name} kepada {settlement.payee_name}",
        lines=[Line("2115", debit=settlement.net_refund, unit=Unit.SIMPAN_PINJAM, member_id=m.pk),
               Line(METHOD_ACCOUNT[method], credit=settlement.net_refund, unit=Unit.SIMPAN_PINJAM)],
        source="members.Settlement", source_id=str(settlement.pk), by=by,
    )
    settlement.paid_on = date
    settlement.paid_method = method
    settlement.paid_reference = reference[:80]
    settlement.paid_entry_id = entry.pk
    settlement.paid_entry_number = getattr(entry, "reference", str(entry.pk))
    settlement.save()
    return settlement
