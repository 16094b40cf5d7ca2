"""Demo members of KDMP Surya Adi (Mesuji, OKI): ~150 people with valid NIKs from kecamatan 16.02.04.

Surya Adi is a transmigration village: mostly Javanese and Balinese families, some Palembang/Ogan families;
most live from oil palm (sawit) and rubber (karet), some from rice. Idempotent: does nothing when the
cooperative already has members (apart from creating the member-portal demo login if it is missing).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from kopdes.core import audit, numbering
from kopdes.core.identity import make_nik
from kopdes.core.models import Role, RoleAssignment, User

from .models import Member, MemberNameToken, tokens_for
from .services import MEMBER_SERIES, index_niks

KECAMATAN = "16.02.04"
N_MEMBERS = 150
DUSUN = ["Sidomulyo", "Sukamaju", "Karya Makmur", "Mekar Jaya", "Banjar Sari"]
MALE = ["Agus", "Bambang", "Budi", "Darmanto", "Edi", "Hadi", "Joko", "Karno", "Mulyono", "Paijo", "Rohmat",
        "Sarjono", "Slamet", "Sugeng", "Sukirman", "Sumarno", "Supardi", "Suroso", "Tukiman", "Wagiman", "Wahyudi",
        "Yanto", "Ahmad", "Rudi", "Heri", "Dedi", "Anwar", "Jumadi", "Sutrisno", "Purwanto", "Giyono", "Marsono"]
FEMALE = ["Sri", "Siti", "Sumiati", "Suparmi", "Tumini", "Wartini", "Sulastri", "Ngatini", "Painem", "Rukmini",
          "Yuliana", "Dewi", "Nurhayati", "Aminah", "Fatimah", "Rohani", "Marlina", "Erna", "Lestari", "Suyatmi",
          "Warsini", "Endang", "Tri", "Yati"]
SURNAME_M = ["Santoso", "Wibowo", "Prasetyo", "Susanto", "Purnomo", "Hidayat", "Saputra", "Setiawan", "Gunawan",
             "Kurniawan", "Riyadi", "Nugroho", "Sulistyo", "Hartono", "Widodo"]
SURNAME_F = ["Lestari", "Rahayu", "Handayani", "Wahyuni", "Ningsih", "Sari", "Astuti", "Susanti", "Wulandari",
             "Purwanti", "Rahmawati"]
BALI_M = ["I Made Sudarma", "I Ketut Suarta", "I Nyoman Wirata", "I Wayan Sukadana", "I Komang Artawan",
          "I Gede Suparta"]
BALI_F = ["Ni Made Sukerti", "Ni Ketut Suasti", "Ni Nyoman Sriani", "Ni Wayan Murni", "Ni Komang Ayu Lestari"]
PALEMBANG_M = ["Muhammad Rusli", "Zainal Abidin", "Syamsul Bahri", "Abdul Rahman", "Kms. Hasan", "Rusdi Effendi",
               "Ahmad Fauzan"]
PALEMBANG_F = ["Cik Ani", "Nyayu Halimah", "Masayu Aisyah", "Rosmala Dewi", "Juleha"]
RELATION = {"L": "istri", "P": "suami"}
# (occupation, crops, weight)
JOBS = [("pekebun", "sawit", 34), ("pekebun", "karet", 14), ("pekebun", "sawit,karet", 10), ("petani", "padi", 12),
        ("petani", "padi,jagung", 5), ("petani", "cabai,sayuran", 3), ("buruh_tani", "", 7), ("pedagang", "", 6),
        ("wiraswasta", "", 3), ("irt", "", 6), ("guru", "", 2), ("pns", "", 1), ("perangkat_desa", "", 1),
        ("peternak", "", 2), ("nelayan", "", 1), ("karyawan", "", 2)]

#: demo board users who are members too (pengurus and pengawas are elected from the members)
BOARD_USERS = ["ketua", "sekretaris", "bendahara", "pengawas", "pengawas2", "simpanpinjam"]
PORTAL_USERNAME = "anggota"
PORTAL_PHONE = "081273000099"


def _pick_job(rng):
    total = sum(w for _o, _c, w in JOBS)
    x = rng.uniform(0, total)
    for occ, crops, w in JOBS:
        x -= w
        if x <= 0:
            return occ, crops
    return JOBS[0][0], JOBS[0][1]


def _name(rng, sex: str) -> str:
    roll = rng.random()
    if roll < 0.12:
        return rng.choice(BALI_M if sex == "L" else BALI_F)
    if roll < 0.24:
        return rng.choice(PALEMBANG_M if sex == "L" else PALEMBANG_F)
    if sex == "L":
        first = rng.choice(MALE)
        return first if rng.random() < 0.35 else f"{first} {rng.choice(SURNAME_M)}"
    first = rng.choice(FEMALE)
    return first if rng.random() < 0.3 else f"{first} {rng.choice(SURNAME_F)}"


def _people(ctx) -> list[dict]:
    rng = ctx.rng
    used_names: set[str] = set()
    founded = ctx.koperasi.founded_on or dt.date(2025, 6, 14)
    rows: list[dict] = []
    board = [ctx.users[u] for u in BOARD_USERS if u in ctx.users]
    for i in range(N_MEMBERS):
        user = board[i] if i < len(board) else None
        if user is not None:
            name = user.full_name
            sex = "P" if name.split()[0] in FEMALE + ["Ni"] else "L"
        else:
            sex = "L" if rng.random() < 0.62 else "P"
            name = _name(rng, sex)
            n = 2
            base = name
            while name in used_names:
                name = f"{base} {'I' * n}" if n < 4 else f"{base} {n}"
                n += 1
        used_names.add(name)
        birth = dt.date(rng.randint(1958, 2003), rng.randint(1, 12), rng.randint(1, 28))
        occ, crops = _pick_job(rng)
        land = Decimal(0)
        if occ in ("pekebun", "petani"):
            land = Decimal(rng.choice([1, 1, 1.5, 2, 2, 2, 3, 4])).quantize(Decimal("0.001"))
            if occ == "petani":
                land = min(land, Decimal(2))
        # founders join at the founding meeting; the rest over the following months (front-loaded)
        if i < 60:
            registered = founded
        else:
            span = max((ctx.today - dt.timedelta(days=20) - founded).days, 1)
            registered = founded + dt.timedelta(days=int(span * rng.random() ** 1.6))
        rows.append({
            "user": user,
            "nik": make_nik(KECAMATAN, birth, sex, 1000 + i * 7 + rng.randint(0, 6)),
            "kk": f"160204{rng.randint(10, 28):02d}{rng.randint(1, 12):02d}{rng.randint(5, 24):02d}{i + 1:04d}",
            "name": name, "birth_place": rng.choice(["Mesuji", "Kayuagung", "Palembang", "Sragen", "Wonogiri",
                                                     "Klaten", "Tabanan", "Boyolali", "Mesuji", "Mesuji"]),
            "birth_date": birth, "sex": sex, "dusun": DUSUN[i % len(DUSUN)],
            "address": f"Jalur {rng.randint(1, 12)}", "rt": f"{rng.randint(1, 15):03d}", "rw": f"{i % 5 + 1:03d}",
            "phone": f"6281{rng.choice([3, 5, 7, 9])}{rng.randint(10000000, 99999999)}" if rng.random() < 0.8 else "",
            "occupation": occ, "crops": crops, "land_area_ha": land,
            "farmer_group": f"Poktan {rng.choice(['Tani Makmur', 'Sido Rukun', 'Karya Bersama', 'Maju Jaya'])}"
            if occ == "petani" else "",
            "heir_name": _name(rng, "P" if sex == "L" else "L") if rng.random() < 0.85 else "",
            "heir_relation": RELATION[sex], "registered_on": registered,
            "wajib_autodebit": rng.random() < 0.15,
        })
    return rows


def build(ctx) -> None:
    k = ctx.koperasi
    with transaction.atomic(), audit.bulk_mode():
        if not Member.objects.filter(koperasi=k).exists():
            members = []
            for seq, p in enumerate(_people(ctx), start=1):
                members.append(Member(koperasi=k, seq=seq, number=f"{seq:05d}", status=Member.Status.CALON,
                                      name_key=" ".join(p["name"].lower().split()), **p))
            Member.objects.bulk_create(members)
            index_niks(k.pk, [m.nik for m in members])
            numbering.seed(k.pk, MEMBER_SERIES, 0, len(members))
            MemberNameToken.objects.bulk_create([t for m in members for t in tokens_for(m)])
            audit.record("demo", koperasi_id=k.pk, summary=f"Demo: {len(members)} calon anggota")
            ctx.say(f"anggota: {len(members)} orang terdaftar (NIK kecamatan {KECAMATAN})")
        _portal_user(ctx)


def _portal_user(ctx) -> None:
    """The member-portal demo login: username ``anggota`` (role anggota), linked to one ordinary member."""
    from kopdes.core.demo import DEMO_PASSWORD, create_demo_user
    from kopdes.core.services import assign_role

    k = ctx.koperasi
    user = User.objects.filter(username=PORTAL_USERNAME).first()
    member = Member.objects.filter(koperasi=k, user=user).first() if user else None
    if member is None:
        member = (Member.objects.filter(koperasi=k, user__isnull=True, occupation="pekebun", sex="P")
                  .order_by("seq").first() or Member.objects.filter(koperasi=k, user__isnull=True).first())
    if member is None:
        return
    if user is None:
        user = create_demo_user(username=PORTAL_USERNAME, full_name=member.name, phone=PORTAL_PHONE, nik=member.nik)
        ctx.say(f"login anggota: {PORTAL_USERNAME} / {DEMO_PASSWORD} → {member.number} {member.name}")
    if not RoleAssignment.objects.filter(user=user, koperasi=k, role=Role.ANGGOTA).exists():
        assign_role(user, Role.ANGGOTA, koperasi=k, start_date=member.registered_on)
    if member.user_id != user.pk:
        member.user = user
        member.save(update_fields=["user", "updated_at"])
    ctx.users[PORTAL_USERNAME] = user
