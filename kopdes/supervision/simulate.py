"""Synthetic cooperatives across the real regions, for dashboards, tests and benchmarks.

``simulate(n)`` makes sure ``n`` simulated KDMP exist (slug ``sim-<code>``), each with a formation record (stage,
dated milestones, units, building), and a snapshot whose balances are written directly (no journal lines), then
scores them and rebuilds region totals. Deterministic (seeded per village) and idempotent: running it again with the
same ``n`` creates nothing; a larger ``n`` adds the difference. Bulk inserts under ``audit.bulk_mode()``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kopdes.core import audit
from kopdes.core.models import Koperasi, Region
from kopdes.core.regions import load_regions, regions_loaded

from . import health, stats
from .models import (
    MILESTONE_KEYS,
    UNIT_CODES,
    WARNING_CODES,
    BuildingStatus,
    CoopSnapshot,
    RecordedVia,
    VillageFormation,
)

SIM_PREFIX = "sim-"
# share of cooperatives per stage (sum 100): most KDMP have their legal entity (82,780 of 83,762 by Nov 2025)
STAGE_WEIGHTS = [(9, 38), (8, 22), (7, 9), (6, 7), (5, 11), (4, 5), (3, 4), (2, 2), (1, 2)]
FORMATION_MODELS = [("baru", 80), ("pengembangan", 12), ("revitalisasi", 8)]
START = dt.date(2025, 4, 1)
D = Decimal


def _pick(rng: random.Random, weighted):
    total = sum(w for _v, w in weighted)
    x = rng.uniform(0, total)
    for v, w in weighted:
        x -= w
        if x <= 0:
            return v
    return weighted[-1][0]


def _money(x) -> Decimal:
    return D(int(round(float(x) / 1000.0)) * 1000)


def _village_plan(code: str, name: str, seed: int, today: dt.date) -> dict:
    """Everything about one simulated village, from its own seeded generator (order independent)."""
    rng = random.Random(f"{seed}:{code}")
    stage = _pick(rng, STAGE_WEIGHTS)
    dates: dict[str, dt.date | None] = {}
    d = START + dt.timedelta(days=rng.randint(0, 75))
    for i, key in enumerate(MILESTONE_KEYS):
        if i < min(stage, 8) and d <= today:
            dates[key] = d
            d = d + dt.timedelta(days=rng.randint(2, 35))
        else:
            dates[key] = None
    reached = sum(1 for k in MILESTONE_KEYS if dates[k])
    units: dict[str, dt.date | None] = {u: None for u in UNIT_CODES}
    if stage == 9 and reached == 8:
        base = dates["rekening"]
        for u in UNIT_CODES:
            if u in ("kantor", "sembako") or rng.random() < {"simpan_pinjam": .6, "klinik": .2, "apotek": .25,
                                                             "pergudangan": .2, "logistik": .3}.get(u, 0):
                start = base + dt.timedelta(days=rng.randint(0, 120))
                units[u] = min(start, today)
    stage_real = reached + (1 if reached == 8 and any(units.values()) else 0)
    building = (BuildingStatus.BEROPERASI if stage_real == 9 and rng.random() < .7 else
                _pick(rng, [(BuildingStatus.BELUM, 30), (BuildingStatus.LAHAN, 35), (BuildingStatus.DIBANGUN, 25),
                            (BuildingStatus.SELESAI, 10)]))
    plan = {"stage": stage_real, "dates": dates, "units": units, "building": building,
            "model": _pick(rng, FORMATION_MODELS), "status": "aktif" if stage_real >= 5 else "pembentukan",
            "attendance": rng.randint(40, 200)}
    # members and balances
    operating = stage_real == 9
    members = 0
    if stage_real >= 5:
        members = max(9, int(rng.lognormvariate(math.log(25 if operating else 14), .6)))
    founded = dates["rapat_pendirian"] or today
    months = max((today.year - founded.year) * 12 + today.month - founded.month, 0)
    compliance = rng.betavariate(5, 2)
    pokok = D(members * 50000)
    wajib = _money(members * 10000 * months * compliance)
    sukarela = _money(members * rng.uniform(0, 300000)) if operating else D(0)
    grant = _money(rng.uniform(5e6, 60e6)) if operating else D(0)
    loans = D(0)
    npl = D(0)
    if units["simpan_pinjam"]:
        loans = _money((pokok + wajib + sukarela) * D(str(rng.uniform(.3, 1.1))) + D(rng.uniform(0, 50e6)))
        npl_share = rng.choice([0, 0, 0, .02, .04, .07, .12, .2, .35])
        npl = _money(float(loans) * npl_share)
    revenue = _money(rng.uniform(2e6, 400e6)) if operating else D(0)
    margin = rng.gauss(.04, .06) if operating else 0
    if operating and rng.random() < .03:
        margin = -rng.uniform(.3, 1.5)  # a failing one
    result = _money(float(revenue) * margin)
    bank_debt = _money(rng.uniform(0, 500e6)) if operating and rng.random() < .3 else D(0)
    liabilities = sukarela + bank_debt
    equity = pokok + wajib + grant + result
    assets = max(liabilities + equity, D(0))
    if assets == 0:
        equity = -liabilities
    rat = None
    if founded <= dt.date(today.year - 1, 12, 31) and rng.random() < .75:
        rat = dt.date(today.year, rng.randint(1, 6), rng.randint(1, 28))
        if rat > today:
            rat = None
    last_activity = today - dt.timedelta(days=int(rng.expovariate(1 / 8))) if operating else None
    cash_diff = _money(rng.uniform(100e3, 3e6)) if operating and rng.random() < .04 else D(0)
    arrears = int(members * (1 - compliance) * rng.uniform(.5, 1.5)) if members else 0
    plan.update(members=min(members, 5000), pokok=pokok, wajib=wajib, sukarela=sukarela, loans=loans, npl=npl,
                assets=assets, liabilities=liabilities, equity=assets - liabilities, revenue=revenue, result=result,
                rat=rat, last_activity=last_activity, cash_diff=cash_diff, arrears=min(arrears, members),
                founded=dates["rapat_pendirian"], name=name,
                revenue_by_unit={"sembako": str(revenue)} if revenue else {})
    return plan


def _fast_insert(model, objs: list) -> None:
    """Insert many rows. On PostgreSQL one pipelined ``executemany`` of plain values (Django's ``bulk_create``
    spends most of its time preparing each field of each row); elsewhere ``bulk_create``."""
    import json

    from django.db import connection
    from django.db.models import AutoField, BigAutoField, JSONField

    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=1000)
        return
    qn = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField | BigAutoField)]
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    json_attrs = {f.attname for f in fields if isinstance(f, JSONField)}
    attrs = [f.attname for f in fields]
    rows = [[json.dumps(getattr(o, a)) if a in json_attrs else getattr(o, a) for a in attrs] for o in objs]
    with connection.cursor() as cur:
        cur.executemany(sql, rows)


def _kind(code: str) -> str:
    return "kelurahan" if code.rsplit(".", 1)[-1].startswith("1") else "desa"


def simulate(n: int, *, seed: int = 2025, today: dt.date | None = None, batch: int = 5000, stdout=None) -> dict:
    t0 = time.perf_counter()
    today = today or timezone.localdate()
    say = stdout.write if stdout is not None else (lambda s: None)
    if not regions_loaded():
        load_regions()
    existing = Koperasi.objects.filter(slug__startswith=SIM_PREFIX).count()
    want = max(n - existing, 0)
    created = 0
    cfg = health.current_config()
    if want:
        taken = set(Koperasi.objects.values_list("region_id", flat=True))
        villages = list(Region.objects.filter(level=4).values_list("code", "name").order_by("code"))
        random.Random(seed).shuffle(villages)
        todo = [(c, nm) for c, nm in villages if c not in taken][:want]
        with audit.bulk_mode(), transaction.atomic():
            for i in range(0, len(todo), batch):
                created += _create_batch(todo[i:i + batch], seed, today, cfg)
                say(f"  simulasi: {existing + created} koperasi")
            audit.record("supervision.simulate", summary=f"{created} koperasi simulasi dibuat (seed {seed})")
    stats.rebuild()
    return {"created": created, "existing": existing, "total": existing + created,
            "seconds": round(time.perf_counter() - t0, 1)}


def _create_batch(rows: list[tuple[str, str]], seed: int, today: dt.date, cfg: dict) -> int:
    plans = {code: _village_plan(code, name, seed, today) for code, name in rows}
    now = timezone.now()
    coops = []
    for code, p in plans.items():
        kind = _kind(code)
        coops.append(Koperasi(
            slug=f"{SIM_PREFIX}{code.replace('.', '')}", region_id=code, kind=kind,
            name=f"Koperasi {'Kelurahan' if kind == 'kelurahan' else 'Desa'} Merah Putih {p['name']}"[:200],
            status=p["status"], formation_model=p["model"], founded_on=p["founded"],
            akta_date=p["dates"]["akta"], badan_hukum_date=p["dates"]["ahu"],
        ))
    Koperasi.objects.bulk_create(coops, batch_size=1000)
    by_code = dict(Koperasi.objects.filter(region_id__in=list(plans)).values_list("region_id", "pk"))
    have_formation = set(VillageFormation.objects.filter(region_id__in=list(plans)).values_list("region_id",
                                                                                                   flat=True))
    formations, snaps = [], []
    for code, p in plans.items():
        kid = by_code[code]
        if code not in have_formation:
            f = VillageFormation(region_id=code, koperasi_id=kid, formation_model=p["model"], stage=p["stage"],
                                 building_status=p["building"], recorded_via=RecordedVia.SIMULASI, updated_at=now)
            for key in MILESTONE_KEYS:
                setattr(f, f"{key}_date", p["dates"][key])
            for u in UNIT_CODES:
                setattr(f, f"unit_{u}", p["units"][u])
            if p["dates"]["musdesus"]:
                f.musdesus_attendance = p["attendance"]
            formations.append(f)
        s = CoopSnapshot(
            koperasi_id=kid, region_code=code, as_of=today, source=CoopSnapshot.Source.SIMULASI,
            members=p["members"], simpanan_pokok=p["pokok"], simpanan_wajib=p["wajib"],
            simpanan_sukarela=p["sukarela"], loans_outstanding=p["loans"], npl_amount=p["npl"],
            npl_ratio=(p["npl"] * 100 / p["loans"]).quantize(D("0.01")) if p["loans"] else None,
            assets=p["assets"], liabilities=p["liabilities"], equity=p["equity"], revenue=p["revenue"],
            result=p["result"], revenue_by_unit=p["revenue_by_unit"], cash_difference=p["cash_diff"],
            wajib_arrears_members=p["arrears"],
            wajib_arrears_ratio=(D(p["arrears"]) * 100 / p["members"]).quantize(D("0.01")) if p["members"] else None,
            last_rat_date=p["rat"], last_activity_date=p["last_activity"], computed_at=now,
        )
        fig = health.Figures(
            loans=s.loans_outstanding, npl_amount=s.npl_amount, npl_ratio=s.npl_ratio, assets=s.assets,
            equity=s.equity, result=s.result, members=s.members, wajib_arrears_members=s.wajib_arrears_members,
            last_rat_date=s.last_rat_date, last_activity_date=s.last_activity_date,
            cash_difference=s.cash_difference, governance=[], founded_on=p["founded"] or today,
            active=p["status"] == "aktif")
        if p["stage"] >= 5:
            value, cls, _b = health.score(fig, today, cfg)
            s.health_score, s.health_class = value, cls
        warns = health.warnings(fig, today, cfg) if p["stage"] >= 5 else {}
        for c in WARNING_CODES:
            setattr(s, f"w_{c}", c in warns)
        s.warning_count, s.warning_detail = len(warns), warns
        snaps.append(s)
    _fast_insert(VillageFormation, formations)
    _fast_insert(CoopSnapshot, snaps)
    return len(coops)
