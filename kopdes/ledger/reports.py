"""Financial statements (SAK EP names) and books, as one neutral structure that pages, Excel, PDF and CSV
render alike. Every figure is aggregated in SQL (``queries.sums_by_account``: month snapshots plus the cut
edges of a range); Python only arranges the ~100 accounts into rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from kopdes.core.models import Koperasi
from kopdes.core.units import Unit

from .models import Account, JournalEntry, JournalLine
from .queries import cents, sums_by_account

ZERO = Decimal("0.00")
CLOSING_SOURCE = "ledger.YearClose"
DAY = dt.timedelta(days=1)


@dataclass
class Row:
    label: str
    values: list = field(default_factory=list)
    kind: str = "line"  # section | line | subtotal | total | note
    level: int = 0
    code: str = ""  # account code: drill-down to the general ledger


@dataclass
class Report:
    key: str
    title: str
    koperasi: Koperasi
    period_label: str
    columns: list[str]
    rows: list[Row]
    start: dt.date | None = None
    end: dt.date | None = None
    notes: list[str] = field(default_factory=list)
    checks: dict = field(default_factory=dict)  # name -> bool (e.g. balanced)

    @property
    def ok(self) -> bool:
        return all(self.checks.values())


REPORTS = {
    "posisi-keuangan": "Laporan posisi keuangan",
    "hasil-usaha": "Laporan hasil usaha",
    "hasil-usaha-unit": "Laporan hasil usaha per unit",
    "perubahan-ekuitas": "Laporan perubahan ekuitas",
    "arus-kas": "Laporan arus kas",
    "catatan": "Catatan atas laporan keuangan (ringkas)",
    "neraca-saldo": "Neraca saldo",
    "buku-besar": "Buku besar",
    "jurnal-umum": "Jurnal umum",
}


def fmt_date(d: dt.date) -> str:
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember"]
    return f"{d.day} {months[d.month - 1]} {d.year}"


def prior_range(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The same dates one year earlier (comparative column)."""
    def back(d: dt.date) -> dt.date:
        try:
            return d.replace(year=d.year - 1)
        except ValueError:  # 29 February
            return d.replace(year=d.year - 1, day=28)
    return back(start), back(end)


def _accounts(k: Koperasi) -> list[Account]:
    return list(Account.objects.filter(koperasi=k).order_by("code"))


def _closing_sums(k: Koperasi, start: dt.date | None, end: dt.date | None) -> dict:
    """Lines of year-end closing entries in the range (subtracted from income/expense figures)."""
    from .models import YearClose

    out: dict = defaultdict(lambda: [ZERO, ZERO])
    entries = YearClose.objects.filter(koperasi=k, entry__isnull=False)  # one row per closed year
    if start:
        entries = entries.filter(entry__date__gte=start)
    if end:
        entries = entries.filter(entry__date__lte=end)
    ids = list(entries.values_list("entry_id", flat=True))
    if not ids:
        return out
    q = JournalLine.objects.filter(koperasi=k, entry_id__in=ids)
    for r in q.values("account_id", "unit").annotate(d=Sum("debit"), c=Sum("credit")).order_by():
        for key in (r["account_id"], (r["account_id"], r["unit"])):
            out[key][0] += cents(r["d"])
            out[key][1] += cents(r["c"])
    return out


def _net(sums: dict, key, sign: int) -> Decimal:
    d, c = sums.get(key, (ZERO, ZERO))
    return (d - c) * sign


# --- laporan posisi keuangan ---------------------------------------------------------------------------------

POSITION_SECTIONS = [
    ("ASET", [("11", "Aset lancar"), ("12", "Aset tidak lancar")], 1, "Jumlah aset"),
    ("LIABILITAS", [("21", "Liabilitas jangka pendek"), ("22", "Liabilitas jangka panjang")], -1,
     "Jumlah liabilitas"),
    ("EKUITAS", [("3", "Ekuitas")], -1, "Jumlah ekuitas"),
]


def position_figures(k: Koperasi, as_of: dt.date, accounts: list[Account] | None = None) -> dict:
    """``{account_code: signed amount}`` at the end of ``as_of`` plus ``"result"`` (undistributed result of
    income/expense accounts not yet closed) and the totals."""
    accounts = accounts or _accounts(k)
    sums = sums_by_account(k, None, as_of)
    out: dict = {}
    result = ZERO
    for a in accounts:
        if a.is_header:
            continue
        d, c = sums.get(a.pk, (ZERO, ZERO))
        if a.type in ("income", "cogs", "expense"):
            result += c - d
        else:
            out[a.code] = d - c if a.code.startswith("1") else c - d
    out["result"] = result
    out["assets"] = sum((v for code, v in out.items() if code.startswith("1")), ZERO)
    out["liabilities"] = sum((v for code, v in out.items() if code.startswith("2")), ZERO)
    out["equity"] = sum((v for code, v in out.items() if code.startswith("3")), ZERO) + result
    return out


def balance_sheet(k: Koperasi, as_of: dt.date, *, compare: bool = True) -> Report:
    accounts = _accounts(k)
    dates = [as_of] + ([prior_range(as_of, as_of)[1]] if compare else [])
    figs = [position_figures(k, d, accounts) for d in dates]
    rows: list[Row] = []
    for title, groups, _sign, total_label in POSITION_SECTIONS:
        rows.append(Row(title, kind="section"))
        for prefix, glabel in groups:
            rows.append(Row(glabel, kind="section", level=1))
            for a in accounts:
                if a.is_header or not a.code.startswith(prefix) or a.type in ("income", "cogs", "expense"):
                    continue
                vals = [f.get(a.code, ZERO) for f in figs]
                if any(vals):
                    rows.append(Row(a.name, vals, level=2, code=a.code))
            if prefix == "3":
                rows.append(Row("SHU tahun berjalan (belum ditutup)", [f["result"] for f in figs], level=2,
                                code="4"))
            sub = [sum((f.get(a.code, ZERO) for a in accounts if not a.is_header and a.code.startswith(prefix)
                        and a.type not in ("income", "cogs", "expense")), ZERO) + (f["result"] if prefix == "3"
                                                                                   else ZERO) for f in figs]
            if len(groups) > 1:
                rows.append(Row(f"Jumlah {glabel.lower()}", sub, kind="subtotal", level=1))
        key = {"ASET": "assets", "LIABILITAS": "liabilities", "EKUITAS": "equity"}[title]
        rows.append(Row(total_label, [f[key] for f in figs], kind="total"))
    rows.append(Row("Jumlah liabilitas dan ekuitas", [f["liabilities"] + f["equity"] for f in figs], kind="total"))
    checks = {f"seimbang {d}": f["assets"] == f["liabilities"] + f["equity"] for d, f in zip(dates, figs, strict=False)}
    return Report("posisi-keuangan", REPORTS["posisi-keuangan"], k, f"Per {fmt_date(as_of)}",
                  [fmt_date(d) for d in dates], rows, end=as_of, checks=checks)


# --- laporan hasil usaha --------------------------------------------------------------------------------------

def _income_groups(accounts: list[Account]) -> list[tuple[str, list[Account], int]]:
    inc = [a for a in accounts if a.type == "income" and not a.is_header]
    cogs = [a for a in accounts if a.type == "cogs" and not a.is_header]
    exp = [a for a in accounts if a.type == "expense" and not a.is_header and a.code != "6901"]
    tax = [a for a in accounts if a.type == "expense" and a.code == "6901"]
    return [
        ("Pendapatan dari anggota", [a for a in inc if a.segment == "member"], -1),
        ("Pendapatan dari non-anggota", [a for a in inc if a.segment == "nonmember"], -1),
        ("Pendapatan lain", [a for a in inc if not a.segment], -1),
        ("Harga pokok penjualan — anggota", [a for a in cogs if a.segment == "member"], 1),
        ("Harga pokok penjualan — non-anggota", [a for a in cogs if a.segment != "member"], 1),
        ("Beban usaha dan umum", exp, 1),
        ("Beban pajak penghasilan", tax, 1),
    ]


def income_figures(k: Koperasi, start: dt.date, end: dt.date, accounts: list[Account] | None = None,
                   by_unit: bool = False) -> tuple[dict, dict]:
    """Net movement of income/expense accounts in [start, end] without closing entries.
    Returns (values, totals): values[key] = positive amount (income credit, expense debit)."""
    accounts = accounts or _accounts(k)
    sums = sums_by_account(k, start, end, by_unit=by_unit)
    closing = _closing_sums(k, start, end)
    vals: dict = {}
    for key, (d, c) in sums.items():
        cd, cc = closing.get(key, (ZERO, ZERO))
        vals[key] = (d - cd, c - cc)
    return vals, closing


def _add(a: list, b: list) -> list:
    return [x + y for x, y in zip(a, b, strict=True)]


def _sub(a: list, b: list) -> list:
    return [x - y for x, y in zip(a, b, strict=True)]


def _income_rows(accounts, get, ncols: int) -> tuple[list[Row], dict]:
    """``get(account, sign) -> list[Decimal]`` (one per column); builds the rows and the key totals."""
    rows: list[Row] = []
    groups = _income_groups(accounts)
    zero = [ZERO] * ncols
    t: dict[str, list] = {}
    values: dict[int, list] = {}
    for label, accs, sign in groups:
        t[label] = zero
        for a in accs:
            values[a.pk] = get(a, sign)
            t[label] = _add(t[label], values[a.pk])
    income_total = _add(_add(t["Pendapatan dari anggota"], t["Pendapatan dari non-anggota"]), t["Pendapatan lain"])
    cogs_total = _add(t["Harga pokok penjualan — anggota"], t["Harga pokok penjualan — non-anggota"])
    gross = _sub(income_total, cogs_total)
    before_tax = _sub(gross, t["Beban usaha dan umum"])
    net = _sub(before_tax, t["Beban pajak penghasilan"])
    member_part = _sub(t["Pendapatan dari anggota"], t["Harga pokok penjualan — anggota"])
    for idx, (label, accs, _sign) in enumerate(groups):
        if idx == 0:
            rows.append(Row("PENDAPATAN", kind="section"))
        if idx == 3:
            rows.append(Row("Jumlah pendapatan", income_total, kind="subtotal"))
            rows.append(Row("HARGA POKOK PENJUALAN", kind="section"))
        if idx == 5:
            rows.append(Row("Jumlah harga pokok penjualan", cogs_total, kind="subtotal"))
            rows.append(Row("Partisipasi bruto anggota (pendapatan − HPP anggota)", member_part, kind="note"))
            rows.append(Row("SISA HASIL USAHA KOTOR", gross, kind="total"))
            rows.append(Row("BEBAN", kind="section"))
        if idx == 6:
            rows.append(Row("SHU SEBELUM PAJAK", before_tax, kind="total"))
        rows.append(Row(label, kind="section", level=1))
        for a in accs:
            if any(values[a.pk]):
                rows.append(Row(a.name, values[a.pk], level=2, code=a.code))
        rows.append(Row(f"Jumlah {label[0].lower() + label[1:]}", t[label], kind="subtotal", level=1))
    rows.append(Row("SISA HASIL USAHA (SHU) BERSIH", net, kind="total"))
    return rows, {"income": income_total, "gross": gross, "before_tax": before_tax, "net": net,
                  "member_income": t["Pendapatan dari anggota"], "nonmember_income": t["Pendapatan dari non-anggota"]}


def income_statement(k: Koperasi, start: dt.date, end: dt.date, *, compare: bool = True,
                     unit: str | None = None) -> Report:
    accounts = _accounts(k)
    ranges = [(start, end)] + ([prior_range(start, end)] if compare else [])
    figs = []
    for s, e in ranges:
        vals, _ = income_figures(k, s, e, accounts, by_unit=bool(unit))
        figs.append(vals)

    def get(a, sign):
        out = []
        for vals in figs:
            d, c = vals.get((a.pk, unit) if unit else a.pk, (ZERO, ZERO))
            out.append((d - c) * sign)
        return out

    rows, totals = _income_rows(accounts, get, len(ranges))
    title = REPORTS["hasil-usaha"] + (f" — {Unit(unit).label}" if unit else " (konsolidasi)")
    return Report("hasil-usaha", title, k, f"{fmt_date(start)} s.d. {fmt_date(end)}",
                  [f"{fmt_date(s)} – {fmt_date(e)}" for s, e in ranges], rows, start=start, end=end)


def income_by_unit(k: Koperasi, start: dt.date, end: dt.date) -> Report:
    accounts = _accounts(k)
    vals, _ = income_figures(k, start, end, accounts, by_unit=True)
    units = list(Unit)

    def get(a, sign):
        out = [(vals.get((a.pk, u.value), (ZERO, ZERO))[0] - vals.get((a.pk, u.value), (ZERO, ZERO))[1]) * sign
               for u in units]
        return out + [sum(out, ZERO)]

    rows, totals = _income_rows(accounts, get, len(units) + 1)
    return Report("hasil-usaha-unit", REPORTS["hasil-usaha-unit"], k, f"{fmt_date(start)} s.d. {fmt_date(end)}",
                  [str(u.label) for u in units] + ["Konsolidasi"], rows, start=start, end=end)


def net_result(k: Koperasi, start: dt.date, end: dt.date) -> Decimal:
    """SHU bersih of the range (income − HPP − expenses − tax), without closing entries."""
    accounts = [a for a in _accounts(k) if a.type in ("income", "cogs", "expense") and not a.is_header]
    vals, _ = income_figures(k, start, end, accounts)
    return sum(((vals.get(a.pk, (ZERO, ZERO))[1] - vals.get(a.pk, (ZERO, ZERO))[0]) for a in accounts), ZERO)


# --- perubahan ekuitas ---------------------------------------------------------------------------------------

def equity_changes(k: Koperasi, start: dt.date, end: dt.date) -> Report:
    accounts = [a for a in _accounts(k) if a.type == "equity" and not a.is_header]
    opening = sums_by_account(k, None, start - DAY)
    moves = sums_by_account(k, start, end)
    result_open = position_figures(k, start - DAY)["result"]
    result_close = position_figures(k, end)["result"]
    rows = [Row("EKUITAS", kind="section")]
    tot = [ZERO] * 4
    for a in accounts:
        od, oc = opening.get(a.pk, (ZERO, ZERO))
        md, mc = moves.get(a.pk, (ZERO, ZERO))
        vals = [oc - od, mc, md, (oc - od) + mc - md]
        if any(vals):
            rows.append(Row(a.name, vals, level=1, code=a.code))
            tot = [x + y for x, y in zip(tot, vals, strict=False)]
    period_result = net_result(k, start, end)
    closed_out = result_open + period_result - result_close  # moved to 3401 by closing entries
    rvals = [result_open, period_result, closed_out, result_close]
    rows.append(Row("SHU tahun berjalan (belum ditutup)", rvals, level=1, code="4"))
    tot = [x + y for x, y in zip(tot, rvals, strict=False)]
    rows.append(Row("Jumlah ekuitas", tot, kind="total"))
    rep = Report("perubahan-ekuitas", REPORTS["perubahan-ekuitas"], k, f"{fmt_date(start)} s.d. {fmt_date(end)}",
                 ["Saldo awal", "Penambahan", "Pengurangan", "Saldo akhir"], rows, start=start, end=end)
    rep.checks["cocok dengan posisi keuangan"] = tot[3] == position_figures(k, end)["equity"]
    return rep


# --- arus kas (metode langsung) ------------------------------------------------------------------------------

def _cash_class(a: Account) -> tuple[str, str]:
    """(activity, label) of a counterpart account in the direct cash-flow statement."""
    c = a.code
    if a.type == "income":
        return "operasi", "Penerimaan dari " + ("anggota" if a.segment == "member" else
                                                "non-anggota" if a.segment == "nonmember" else "pendapatan lain")
    if a.type in ("cogs",) or c.startswith("115") or c == "2111" or c.startswith("116"):
        return "operasi", "Pembayaran kepada pemasok"
    if a.type == "expense":
        return "operasi", "Pembayaran beban usaha" if c not in ("6901",) else "Pembayaran pajak"
    if c.startswith("113"):
        return "operasi", "Pinjaman kepada anggota (penyaluran/angsuran)"
    if c.startswith("114"):
        return "operasi", "Piutang usaha"
    if c == "2101":
        return "operasi", "Simpanan sukarela anggota (neto)"
    if c.startswith("12"):
        return "investasi", "Perolehan/pelepasan aset tetap"
    if c in ("3101", "3102", "2115"):
        return "pendanaan", "Simpanan pokok & wajib anggota (neto)"
    if c in ("3103", "3301", "2116"):
        return "pendanaan", "Modal penyertaan, hibah & dana program"
    if c in ("2201", "2131", "2132"):
        return "pendanaan", "Pinjaman bank"
    if c.startswith("212") or c in ("3401", "3402", "3201", "3202"):
        return "pendanaan", "Pembagian SHU & dana-dana"
    return "operasi", "Penerimaan/pembayaran lain"


def cash_flow(k: Koperasi, start: dt.date, end: dt.date) -> Report:
    accounts = {a.pk: a for a in _accounts(k)}
    cash_ids = [pk for pk, a in accounts.items() if a.is_cash]
    cash_entries = JournalLine.objects.filter(koperasi=k, account_id__in=cash_ids, date__gte=start,
                                              date__lte=end).values("entry_id")
    rows_q = (JournalLine.objects.filter(koperasi=k, entry_id__in=cash_entries, entry__status="posted")
              .exclude(account_id__in=cash_ids).values("account_id")
              .annotate(d=Sum("debit"), c=Sum("credit")).order_by())
    flows: dict[str, dict[str, Decimal]] = {"operasi": {}, "investasi": {}, "pendanaan": {}}
    for r in rows_q:
        act, label = _cash_class(accounts[r["account_id"]])
        flows[act][label] = flows[act].get(label, ZERO) + (cents(r["c"]) - cents(r["d"]))
    opening = sums_by_account(k, None, start - DAY, account_ids=cash_ids)
    closing = sums_by_account(k, None, end, account_ids=cash_ids)
    open_cash = sum((d - c for d, c in opening.values()), ZERO)
    close_cash = sum((d - c for d, c in closing.values()), ZERO)
    rows: list[Row] = []
    net = ZERO
    names = {"operasi": "ARUS KAS DARI AKTIVITAS OPERASI", "investasi": "ARUS KAS DARI AKTIVITAS INVESTASI",
             "pendanaan": "ARUS KAS DARI AKTIVITAS PENDANAAN"}
    for act, items in flows.items():
        rows.append(Row(names[act], kind="section"))
        sub = ZERO
        for label, v in sorted(items.items()):
            if v:
                rows.append(Row(label, [v], level=1))
                sub += v
        rows.append(Row(f"Kas neto dari aktivitas {act}", [sub], kind="subtotal"))
        net += sub
    rows.append(Row("Kenaikan (penurunan) kas dan setara kas", [net], kind="total"))
    rows.append(Row("Kas dan setara kas awal periode", [open_cash], kind="line"))
    rows.append(Row("Kas dan setara kas akhir periode", [open_cash + net], kind="total"))
    rep = Report("arus-kas", REPORTS["arus-kas"] + " (metode langsung)", k,
                 f"{fmt_date(start)} s.d. {fmt_date(end)}", [f"{fmt_date(start)} – {fmt_date(end)}"], rows,
                 start=start, end=end)
    rep.checks["kas akhir cocok"] = open_cash + net == close_cash
    return rep


# --- neraca saldo, buku besar, jurnal umum -------------------------------------------------------------------

def trial_balance(k: Koperasi, start: dt.date, end: dt.date) -> Report:
    accounts = _accounts(k)
    opening = sums_by_account(k, None, start - DAY)
    moves = sums_by_account(k, start, end)
    rows: list[Row] = []
    tot = [ZERO] * 6
    for a in accounts:
        if a.is_header:
            continue
        od, oc = opening.get(a.pk, (ZERO, ZERO))
        md, mc = moves.get(a.pk, (ZERO, ZERO))
        ob = od - oc
        cb = ob + md - mc
        vals = [max(ob, ZERO), max(-ob, ZERO), md, mc, max(cb, ZERO), max(-cb, ZERO)]
        if any(vals):
            rows.append(Row(f"{a.code} {a.name}", vals, code=a.code))
            tot = [x + y for x, y in zip(tot, vals, strict=False)]
    rows.append(Row("JUMLAH", tot, kind="total"))
    rep = Report("neraca-saldo", REPORTS["neraca-saldo"], k, f"{fmt_date(start)} s.d. {fmt_date(end)}",
                 ["Saldo awal debit", "Saldo awal kredit", "Mutasi debit", "Mutasi kredit", "Saldo akhir debit",
                  "Saldo akhir kredit"], rows, start=start, end=end)
    rep.checks["debit = kredit"] = tot[0] == tot[1] and tot[2] == tot[3] and tot[4] == tot[5]
    return rep


def general_ledger(k: Koperasi, code: str, start: dt.date, end: dt.date, *, unit: str | None = None,
                   member_id: int | None = None, limit: int | None = 5000) -> Report:
    acc_q = Account.objects.filter(koperasi=k).filter(Q(code=code) | Q(code__startswith=code))
    head = acc_q.filter(code=code).first()
    if head is None:
        return Report("buku-besar", "Buku besar", k, "", [], [], start=start, end=end)
    ids = list(acc_q.values_list("pk", flat=True))
    sign = head.sign
    q0 = JournalLine.objects.filter(koperasi=k, account_id__in=ids, entry__status="posted")
    if unit:
        q0 = q0.filter(unit=unit)
    if member_id:
        q0 = q0.filter(member_id=member_id)
    if member_id or unit:
        ob = q0.filter(date__lt=start).aggregate(d=Sum("debit"), c=Sum("credit"))
        opening = (cents(ob["d"]) - cents(ob["c"])) * sign
    else:
        s = sums_by_account(k, None, start - DAY, account_ids=ids)
        opening = sum(((d - c) for d, c in s.values()), ZERO) * sign
    lines = (q0.filter(date__gte=start, date__lte=end).select_related("entry", "account")
             .order_by("date", "entry__year", "entry__number", "id"))
    if limit:
        lines = lines[:limit]
    rows = [Row("Saldo awal", ["", "", "", "", opening], kind="subtotal")]
    bal = opening
    td = tc = ZERO
    for ln in lines:
        bal += (ln.debit - ln.credit) * sign
        td += ln.debit
        tc += ln.credit
        rows.append(Row(ln.memo or ln.entry.memo, [ln.date.strftime("%d-%m-%Y"), ln.entry.reference,
                                                   ln.debit or "", ln.credit or "", bal],
                        code=str(ln.entry_id), kind="entry"))
    rows.append(Row("Jumlah mutasi / saldo akhir", ["", "", td, tc, bal], kind="total"))
    title = f"Buku besar {head.code} {head.name}"
    return Report("buku-besar", title, k, f"{fmt_date(start)} s.d. {fmt_date(end)}",
                  ["Tanggal", "No. jurnal", "Debit", "Kredit", "Saldo"], rows, start=start, end=end)


def journal_book(k: Koperasi, start: dt.date, end: dt.date, *, limit: int | None = 2000,
                 source_prefix: str | None = None) -> Report:
    entries = JournalEntry.objects.filter(koperasi=k, status="posted", date__gte=start, date__lte=end)
    if source_prefix is not None:
        entries = entries.filter(source__startswith=source_prefix)
    entries = entries.order_by("date", "year", "number")
    if limit:
        entries = entries[:limit]
    entries = list(entries)
    lines = defaultdict(list)
    for ln in (JournalLine.objects.filter(entry_id__in=[e.pk for e in entries]).select_related("account")
               .order_by("id")):
        lines[ln.entry_id].append(ln)
    rows: list[Row] = []
    td = tc = ZERO
    for e in entries:
        rows.append(Row(f"{e.reference} — {e.memo}", [e.date.strftime("%d-%m-%Y"), "", "", ""], kind="section",
                        code=str(e.pk)))
        for ln in lines[e.pk]:
            rows.append(Row(f"{ln.account.code} {ln.account.name}", ["", str(Unit(ln.unit).label) if ln.unit else "",
                                                                     ln.debit or "", ln.credit or ""],
                            level=1 if ln.debit else 2, code=ln.account.code))
            td += ln.debit
            tc += ln.credit
    rows.append(Row("JUMLAH", ["", "", td, tc], kind="total"))
    rep = Report("jurnal-umum", REPORTS["jurnal-umum"], k, f"{fmt_date(start)} s.d. {fmt_date(end)}",
                 ["Tanggal", "Unit", "Debit", "Kredit"], rows, start=start, end=end)
    rep.checks["debit = kredit"] = td == tc
    return rep


# --- catatan ringkas -----------------------------------------------------------------------------------------

def notes(k: Koperasi, start: dt.date, end: dt.date) -> Report:
    pos = position_figures(k, end)
    accounts = _accounts(k)
    inc_vals, _ = income_figures(k, start, end, accounts)
    member_income = sum(((inc_vals.get(a.pk, (ZERO, ZERO))[1] - inc_vals.get(a.pk, (ZERO, ZERO))[0])
                         for a in accounts if a.type == "income" and a.segment == "member"), ZERO)
    nonmember_income = sum(((inc_vals.get(a.pk, (ZERO, ZERO))[1] - inc_vals.get(a.pk, (ZERO, ZERO))[0])
                            for a in accounts if a.type == "income" and a.segment == "nonmember"), ZERO)
    rows = [
        Row("1. Umum", kind="section"),
        Row(f"{k.name} berkedudukan di {k.region.path_label() if k.region_id else '-'}; badan hukum "
            f"{k.badan_hukum_number or '(belum ada)'}.", kind="note"),
        Row("2. Kebijakan akuntansi", kind="section"),
        Row("Laporan keuangan disusun berdasarkan SAK EP (Permenkop UKM 2/2024), basis akrual, dalam rupiah. "
            "Pendapatan dan HPP dipisah antara transaksi dengan anggota dan non-anggota. Simpanan pokok dan "
            "wajib disajikan sebagai ekuitas; simpanan sukarela sebagai liabilitas.", kind="note"),
        Row("3. Kas dan setara kas", kind="section"),
    ]
    for a in accounts:
        if a.is_cash and pos.get(a.code):
            rows.append(Row(a.name, [pos[a.code]], level=1, code=a.code))
    rows.append(Row("4. Piutang dan simpanan anggota", kind="section"))
    for code in ("1131", "1132", "1133", "1141", "2101", "3101", "3102"):
        a = next((x for x in accounts if x.code == code), None)
        if a and pos.get(code):
            rows.append(Row(a.name, [pos[code]], level=1, code=code))
    rows.append(Row("5. Pendapatan anggota dan non-anggota", kind="section"))
    rows.append(Row("Pendapatan dari anggota", [member_income], level=1))
    rows.append(Row("Pendapatan dari non-anggota", [nonmember_income], level=1))
    rows.append(Row("6. Sisa hasil usaha", kind="section"))
    rows.append(Row("SHU bersih periode", [net_result(k, start, end)], level=1))
    return Report("catatan", REPORTS["catatan"], k, f"{fmt_date(start)} s.d. {fmt_date(end)}", ["Jumlah"], rows,
                  start=start, end=end)


def build(name: str, k: Koperasi, start: dt.date, end: dt.date, *, compare: bool = True, unit: str | None = None,
          code: str | None = None) -> Report:
    """One entry point for pages, exports and the CLI."""
    if name == "posisi-keuangan":
        return balance_sheet(k, end, compare=compare)
    if name == "hasil-usaha":
        return income_statement(k, start, end, compare=compare, unit=unit)
    if name == "hasil-usaha-unit":
        return income_by_unit(k, start, end)
    if name == "perubahan-ekuitas":
        return equity_changes(k, start, end)
    if name == "arus-kas":
        return cash_flow(k, start, end)
    if name == "catatan":
        return notes(k, start, end)
    if name == "neraca-saldo":
        return trial_balance(k, start, end)
    if name == "buku-besar":
        return general_ledger(k, code or "1101", start, end, unit=unit)
    if name == "jurnal-umum":
        return journal_book(k, start, end)
    raise KeyError(name)
