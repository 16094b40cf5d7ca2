"""Akuntansi pages (thin: every change goes through services). Readers: management, pengawas, supervisors and
the kantor operator; writers: management and the kantor operator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.core import filters, uploads
from kopdes.core.access import tenant_view
from kopdes.core.errors import DomainError
from kopdes.core.money import format_rupiah
from kopdes.core.units import Unit

from . import export, queries, rat, reports, rules, services, shu, sources
from .models import (
    Account,
    AccountType,
    AnnualMeeting,
    CashCount,
    JournalEntry,
    ManualJournal,
    Period,
    PeriodReopen,
    ShuAllocation,
    YearClose,
)

READ = {"unit": Unit.KANTOR}
WRITE = {"write": True, "unit": Unit.KANTOR}


def _can_write(request) -> bool:
    return rules.can_write(request.access)


def _require_write(request) -> None:
    if not _can_write(request):
        raise PermissionDenied


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _amount(value: str | None) -> Decimal:
    """A rupiah amount typed by a person: ``150.000``, ``150.000,50``, ``150000,5``, ``150000.50`` or ``1,500,000``."""
    v = (value or "").strip().replace(" ", "").replace("Rp", "").replace("rp", "")
    if not v:
        return Decimal("0")
    if "," in v and "." in v:  # the later separator is the decimal one
        v = v.replace(".", "").replace(",", ".") if v.rfind(",") > v.rfind(".") else v.replace(",", "")
    elif "," in v:
        parts = v.split(",")
        v = v.replace(",", "") if len(parts) > 2 or len(parts[-1]) == 3 else v.replace(",", ".")
    elif "." in v:
        parts = v.split(".")
        if len(parts) > 2 or len(parts[-1]) == 3:  # thousands separators
            v = v.replace(".", "")
    return Decimal(v)


def _range(request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    year = services.fiscal_year(request.koperasi, today)
    first, _last = services.year_bounds(request.koperasi, year)
    return filters.period(request, first, today, start="from", end="to", swap=True)


def _error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


# --- home & chart ---------------------------------------------------------------------------------------------

@tenant_view(**READ)
def home(request):
    k = request.koperasi
    cash = queries.cash_balances(k)
    today = timezone.localdate()
    year = services.fiscal_year(k, today)
    start, _end = services.year_bounds(k, year)
    return render(request, "ledger/home.html", {
        "cash": cash, "cash_total": sum((b for _a, b in cash), Decimal(0)),
        "shu_ytd": reports.net_result(k, start, today), "year": year,
        "pending_manual": ManualJournal.objects.filter(koperasi=k, status="submitted").count(),
        "pending_reopen": PeriodReopen.objects.filter(koperasi=k, status="pending").count(),
        "recent": JournalEntry.objects.filter(koperasi=k, status="posted").order_by("-created_at", "-id")[:10],
        "reports": reports.REPORTS, "can_write": _can_write(request),
    })


class AccountForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Kode"), max_length=12)
    name = forms.CharField(label=gettext_lazy("Nama akun"), max_length=150)
    type = forms.ChoiceField(label=gettext_lazy("Jenis"), choices=AccountType.choices)
    segment = forms.ChoiceField(label=gettext_lazy("Segmen"), choices=Account.Segment.choices, required=False)
    is_cash = forms.BooleanField(label=gettext_lazy("Akun kas/bank"), required=False)
    is_contra = forms.BooleanField(label=gettext_lazy("Akun lawan (kontra)"), required=False)


@tenant_view(**WRITE)
def accounts(request):
    k = request.koperasi
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_account(k, **form.cleaned_data)
            messages.success(request, _("Akun ditambahkan."))
            return redirect("ledger:accounts", slug=k.slug)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    sums = queries.sums_by_account(k, None, None)
    rows = []
    for a in Account.objects.filter(koperasi=k).order_by("code"):
        d, c = sums.get(a.pk, (Decimal(0), Decimal(0)))
        rows.append((a, None if a.is_header else (d - c) * a.sign))
    return render(request, "ledger/accounts.html", {"rows": rows, "form": form, "can_write": _can_write(request)})


@tenant_view(**WRITE)
def account_edit(request, pk: int):
    acc = get_object_or_404(Account, pk=pk, koperasi=request.koperasi)
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                services.delete_account(acc)
                messages.success(request, _("Akun dihapus."))
            else:
                services.update_account(acc, name=request.POST.get("name") or acc.name,
                                        active=bool(request.POST.get("active")))
                messages.success(request, _("Akun disimpan."))
        except DomainError as exc:
            _error(request, exc)
    return redirect("ledger:accounts", slug=request.koperasi.slug)


# --- statements -----------------------------------------------------------------------------------------------

@tenant_view(**READ)
def report(request, name: str):
    if name not in reports.REPORTS:
        raise Http404
    k = request.koperasi
    start, end = _range(request)
    unit = request.GET.get("unit") or None
    if unit and unit not in Unit.values:
        unit = None
    code = request.GET.get("code") or None
    compare = request.GET.get("compare", "1") == "1"
    rep = reports.build(name, k, start, end, compare=compare, unit=unit, code=code)
    fmt = request.GET.get("format")
    if fmt in export.CONTENT_TYPES:
        resp = HttpResponse(export.render(rep, fmt), content_type=export.CONTENT_TYPES[fmt])
        resp["Content-Disposition"] = f'attachment; filename="{export.filename(rep, fmt)}"'
        return resp
    query = request.GET.copy()
    query.pop("format", None)
    return render(request, "ledger/report.html", {
        "rep": rep, "name": name, "start": start, "end": end, "unit": unit, "code": code, "compare": compare,
        "units": Unit.choices, "reports": reports.REPORTS, "query": query.urlencode(),
        "print": request.GET.get("print") == "1",
        "accounts": Account.objects.filter(koperasi=k, is_header=False).order_by("code") if name == "buku-besar"
        else None,
    })


# --- journal --------------------------------------------------------------------------------------------------

@tenant_view(**READ)
def journal(request):
    k = request.koperasi
    start, end = _range(request)
    qs = JournalEntry.objects.filter(koperasi=k, status="posted", date__gte=start, date__lte=end)
    source = request.GET.get("source", "")
    if source == "manual":
        qs = qs.filter(source__startswith="ledger.")
    elif source:
        qs = qs.filter(source=source)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(memo__icontains=q)
    page = Paginator(qs.order_by("-date", "-year", "-number"), 50).get_page(request.GET.get("page"))
    return render(request, "ledger/journal.html", {"page": page, "start": start, "end": end, "q": q,
                                                   "source": source, "labels": sources.LABELS})


@tenant_view(**WRITE)
def entry_detail(request, pk: int):
    k = request.koperasi
    entry = get_object_or_404(JournalEntry, pk=pk, koperasi=k)
    if request.method == "POST":
        try:
            rev = services.reverse(entry, date=_date(request.POST.get("date"), timezone.localdate()),
                                   memo=request.POST.get("memo", ""), by=request.user)
            messages.success(request, _("Jurnal dibalik dengan %(ref)s.") % {"ref": rev.reference})
            return redirect("ledger:entry", slug=k.slug, pk=rev.pk)
        except DomainError as exc:
            _error(request, exc)
    lines = entry.lines.select_related("account").order_by("id")
    return render(request, "ledger/entry.html", {
        "entry": entry, "lines": lines, "source_url": sources.source_url(k, entry.source, entry.source_id, entry),
        "source_label": sources.LABELS.get(entry.source, entry.source),
        "reversed_by": JournalEntry.objects.filter(koperasi=k, reversal_of=entry).first(), "can_write": _can_write(request),
        "today": timezone.localdate(),
    })


# --- manual journals (maker-checker) --------------------------------------------------------------------------

MANUAL_ROWS = 6


@tenant_view(**READ)
def manual_list(request):
    qs = ManualJournal.objects.filter(koperasi=request.koperasi).select_related("maker", "checker", "entry")
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "ledger/manual_list.html", {"page": page, "status": status,
                                                       "statuses": ManualJournal.Status.choices,
                                                       "can_write": _can_write(request)})


@tenant_view(**WRITE)
def manual_new(request):
    k = request.koperasi
    accounts = Account.objects.filter(koperasi=k, is_header=False, active=True).order_by("code")
    rows = [{"account": "", "debit": "", "credit": "", "unit": "kantor", "member_id": "", "memo": ""}
            for _i in range(MANUAL_ROWS)]
    date = timezone.localdate()
    memo = ""
    if request.method == "POST":
        rows = []
        for i in range(MANUAL_ROWS):
            r = {f: request.POST.get(f"{f}_{i}", "").strip() for f in ("account", "debit", "credit", "unit",
                                                                        "member_id", "memo")}
            rows.append(r)
        date = _date(request.POST.get("date"), date)
        memo = request.POST.get("memo", "")
        lines = [{**r, "debit": r["debit"].replace(".", "").replace(",", ".") or "0",
                  "credit": r["credit"].replace(".", "").replace(",", ".") or "0"} for r in rows if r["account"]]
        try:
            mj = services.create_manual_journal(k, date=date, memo=memo, lines=lines, by=request.user)
            for f in request.FILES.getlist("files"):
                services.attach(mj, f, by=request.user)
            messages.success(request, _("Jurnal memorial dicatat; menunggu persetujuan orang lain."))
            return redirect("ledger:manual_detail", slug=k.slug, pk=mj.pk)
        except DomainError as exc:
            _error(request, exc)
        except (InvalidOperation, ValueError):
            messages.error(request, _("Jumlah tidak valid."))
    return render(request, "ledger/manual_new.html", {"accounts": accounts, "rows": rows, "units": Unit.choices,
                                                      "date": date, "memo": memo})


@tenant_view(**WRITE)
def manual_detail(request, pk: int):
    k = request.koperasi
    mj = get_object_or_404(ManualJournal, pk=pk, koperasi=k)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.approve_manual_journal(mj, by=request.user)
                messages.success(request, _("Jurnal disetujui dan diposting."))
            elif action == "reject":
                services.reject_manual_journal(mj, by=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("Jurnal ditolak."))
            elif action == "attach":
                for f in request.FILES.getlist("files"):
                    services.attach(mj, f, by=request.user)
                messages.success(request, _("Lampiran disimpan."))
        except DomainError as exc:
            _error(request, exc)
        return redirect("ledger:manual_detail", slug=k.slug, pk=mj.pk)
    names = dict(Account.objects.filter(koperasi=k).values_list("code", "name"))
    lines = [{**ln, "name": names.get(ln["account"], "")} for ln in mj.lines]
    return render(request, "ledger/manual_detail.html", {"mj": mj, "lines": lines,
                                                         "attachments": mj.attachments.all(),
                                                         "can_write": _can_write(request),
                                                         "can_check": rules.can_check_manual_journal(request.access),
                                                         "is_maker": mj.maker_id == request.user.pk})


@tenant_view(**READ)
def attachment(request, pk: int):
    from .models import Attachment

    att = get_object_or_404(Attachment, pk=pk, koperasi=request.koperasi)
    resp = HttpResponse(att.file.open("rb").read(), content_type="application/octet-stream")
    resp["Content-Disposition"] = f'attachment; filename="{att.name or "lampiran"}"'
    return resp


# --- periods ---------------------------------------------------------------------------------------------------

@tenant_view(**WRITE)
def periods(request):
    k = request.koperasi
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "close":
                services.close_month(k, int(request.POST["year"]), int(request.POST["month"]), by=request.user)
                messages.success(request, _("Periode ditutup."))
            elif action == "reopen":
                services.request_reopen(k, int(request.POST["year"]), int(request.POST["month"]),
                                        reason=request.POST.get("reason", ""), by=request.user)
                messages.success(request, _("Permintaan dibuat; perlu persetujuan ketua dan bendahara."))
            elif action == "approve":
                req = get_object_or_404(PeriodReopen, pk=request.POST.get("req"), koperasi=k)
                services.approve_reopen(req, by=request.user)
                messages.success(request, _("Persetujuan dicatat."))
            elif action == "close_year":
                if not rules.can_close_year(request.access):
                    raise PermissionDenied
                services.close_year(k, int(request.POST["year"]), by=request.user)
                messages.success(request, _("Tutup buku tahunan selesai; SHU dipindah ke SHU belum dibagi."))
        except DomainError as exc:
            _error(request, exc)
        except (KeyError, ValueError):
            messages.error(request, _("Isian tidak lengkap."))
        return redirect("ledger:periods", slug=k.slug)
    today = timezone.localdate()
    status = {(p.year, p.month): p for p in Period.objects.filter(koperasi=k)}
    months = []
    y, m = today.year, today.month
    for _i in range(18):
        months.append({"year": y, "month": m, "period": status.get((y, m))})
        y, m = (y - (m == 1), 12 if m == 1 else m - 1)
    return render(request, "ledger/periods.html", {
        "months": months, "requests": PeriodReopen.objects.filter(koperasi=k)[:20],
        "closes": YearClose.objects.filter(koperasi=k).order_by("-year"),
        "year": services.fiscal_year(k, today) - 1, "can_write": _can_write(request),
    })


@tenant_view(**WRITE)
def opening(request):
    k = request.koperasi
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            messages.error(request, _("Pilih berkas Excel."))
        else:
            try:
                e = services.import_opening_balances(k, date=_date(request.POST.get("date"), timezone.localdate()),
                                                     data=uploads.read(f), by=request.user)
                messages.success(request, _("Saldo awal diposting sebagai %(ref)s.") % {"ref": e.reference})
                return redirect("ledger:entry", slug=k.slug, pk=e.pk)
            except DomainError as exc:
                _error(request, exc)
    return render(request, "ledger/opening.html", {
        "existing": JournalEntry.objects.filter(koperasi=k, source="ledger.Opening").first()})


# --- cash & bank ----------------------------------------------------------------------------------------------

@tenant_view(**WRITE)
def cash(request):
    k = request.koperasi
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            amount = _amount(request.POST.get("amount"))
            date = _date(request.POST.get("date"), timezone.localdate())
            if action == "count":
                cc = services.record_cash_count(k, date=date, account=request.POST.get("account", ""),
                                                counted=amount, unit=request.POST.get("unit") or Unit.KANTOR,
                                                note=request.POST.get("note", ""), by=request.user)
                messages.success(request, _("Kas opname dicatat; selisih %(diff)s.") % {"diff": format_rupiah(cc.difference)})
            elif action == "transfer":
                services.transfer_cash(k, date=date, from_account=request.POST.get("from_account", ""),
                                       to_account=request.POST.get("to_account", ""), amount=amount,
                                       from_unit=request.POST.get("from_unit") or Unit.KANTOR,
                                       to_unit=request.POST.get("to_unit") or Unit.KANTOR,
                                       memo=request.POST.get("memo", ""), by=request.user,
                                       idempotency_key=request.POST.get("idem") or None)
                messages.success(request, _("Pemindahan kas diposting."))
        except DomainError as exc:
            _error(request, exc)
        except InvalidOperation:
            messages.error(request, _("Jumlah tidak valid."))
        return redirect("ledger:cash", slug=k.slug)
    balances = queries.cash_balances(k)
    return render(request, "ledger/cash.html", {
        "balances": balances, "units": Unit.choices, "today": timezone.localdate(),
        "counts": CashCount.objects.filter(koperasi=k).select_related("account", "counted_by")[:30],
        "idem": timezone.now().strftime("%Y%m%d%H%M%S%f"),
    })


# --- SHU & RAT ------------------------------------------------------------------------------------------------

@tenant_view(**WRITE)
def shu_page(request):
    k = request.koperasi
    today = timezone.localdate()
    f = filters.read(request, year=filters.year(_("Tahun buku")))
    year = f.value("year") or filters.read(request.POST, year=filters.year()).value(
        "year", services.fiscal_year(k, today) - 1)
    alloc = ShuAllocation.objects.filter(koperasi=k, year=year).first()
    if request.method == "POST":
        if not request.access.is_pengurus:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "allocate":
                shu.allocate(k, year, by=request.user)
                messages.success(request, _("SHU dialokasikan dan diposting."))
            elif request.POST.get("action") == "payout" and alloc:
                shu.pay_out(alloc, mode=request.POST.get("mode", "cash"),
                            date=_date(request.POST.get("date"), today), by=request.user)
                messages.success(request, _("SHU anggota dibayarkan."))
        except DomainError as exc:
            _error(request, exc)
        return redirect(f"{request.path}?year={year}")
    preview, error = None, None
    if alloc is None:
        try:
            preview = shu.compute(k, year)
        except DomainError as exc:
            error = exc.message
    shares = list(alloc.shares.all()) if alloc else (preview or {}).get("shares", [])
    names = shu.member_names(k, [s["member_id"] if isinstance(s, dict) else s.member_id for s in shares])
    for s in shares:
        if isinstance(s, dict):
            s["name"] = names[s["member_id"]]
        else:
            s.name = names[s.member_id]
    return render(request, "ledger/shu.html", {
        "year": year, "alloc": alloc, "preview": preview, "error": error, "shares": shares,
        "parts": alloc.parts if alloc else (preview or {}).get("parts", []),
        "closed": YearClose.objects.filter(koperasi=k, year=year).first(),
        "meeting": AnnualMeeting.objects.filter(koperasi=k, year=year).order_by("-date").first(),
        "today": today, "can_pay": request.access.is_pengurus, "filters": f,
    })


@tenant_view(**READ)
def shu_slip(request, year: int, member_id: int):
    try:
        data = shu.slip_pdf(request.koperasi, year, member_id)
    except DomainError:
        raise Http404 from None
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="slip-shu-{year}-{member_id}.pdf"'
    return resp


class MeetingForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Tahun buku yang dibahas"))
    date = forms.DateField(label=gettext_lazy("Tanggal RAT"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=gettext_lazy("Tempat"), required=False)
    members_total = forms.IntegerField(label=gettext_lazy("Jumlah anggota"), min_value=1)
    attendance = forms.IntegerField(label=gettext_lazy("Jumlah hadir"), min_value=0)
    quorum_pct = forms.DecimalField(label=gettext_lazy("Kuorum (%)"), initial=Decimal("50"))
    statements_approved = forms.BooleanField(label=gettext_lazy("Laporan keuangan disahkan"), required=False)
    shu_approved = forms.BooleanField(label=gettext_lazy("Pembagian SHU disetujui"), required=False)
    decisions = forms.CharField(label=gettext_lazy("Keputusan"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


@tenant_view(**WRITE)
def rat_page(request):
    k = request.koperasi
    form = MeetingForm(request.POST or None)
    for f in form.fields.values():
        f.widget.attrs.setdefault("class", "form-check-input" if isinstance(f, forms.BooleanField) else
                                  "form-control form-control-sm")
    if request.method == "POST":
        if not request.access.is_pengurus:
            raise PermissionDenied
        if form.is_valid():
            try:
                rat.record_meeting(k, by=request.user, **form.cleaned_data)
                messages.success(request, _("RAT dicatat."))
                return redirect("ledger:rat", slug=k.slug)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "ledger/rat.html", {"form": form,
                                               "meetings": AnnualMeeting.objects.filter(koperasi=k),
                                               "year": services.fiscal_year(k, timezone.localdate()) - 1})


@tenant_view(**READ)
def rat_pack(request, year: int):
    resp = HttpResponse(rat.rat_pack_pdf(request.koperasi, year), content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="bahan-rat-{request.koperasi.slug}-{year}.pdf"'
    return resp
