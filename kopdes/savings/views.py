"""Savings pages under /k/<slug>/simpanan/: counter, receipts, billing and arrears, statements, settings."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.core import filters
from kopdes.core.errors import DomainError
from kopdes.core.models import MANAGEMENT_ROLES, PENGURUS_ROLES
from kopdes.core.money import format_rupiah
from kopdes.core.sheets import xlsx_bytes
from kopdes.members.access import registry_view
from kopdes.members.models import Member
from kopdes.members.queries import search_members

from . import services
from .forms import BillingForm, CounterForm, SettingsForm
from .models import BillingRun, JasaRun, Kind, Receipt, SavingsTransaction, WajibDue
from .statement import member_statement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _apply_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _month(text: str | None) -> dt.date | None:
    try:
        y, m = (text or "").split("-")[:2]
        return dt.date(int(y), int(m), 1)
    except (ValueError, TypeError):
        return None


@registry_view(savings=True)
def home(request):
    k = request.koperasi
    sums = dict(SavingsTransaction.objects.filter(koperasi=k).values_list("kind").annotate(s=Sum("amount"))
                .order_by())
    totals = [(label, sums.get(kind) or 0) for kind, label in Kind.choices]
    arrears = services.arrears(k)
    recent = SavingsTransaction.objects.filter(koperasi=k).select_related("member").order_by("-date", "-id")[:15]
    return render(request, "savings/home.html", {
        "totals": totals, "grand": sum(v for _l, v in totals), "arrears_total": sum(arrears.values()),
        "arrears_count": len(arrears), "recent": recent,
        "runs": BillingRun.objects.filter(koperasi=k)[:6], "jasa_runs": JasaRun.objects.filter(koperasi=k)[:6],
        "settings": services.settings_for(k), "can_write": request.can_write_registry,
    })


@registry_view(savings=True)
def counter(request):
    """Setor/tarik at the counter. The form carries a client key: a double submit replays the first receipt."""
    k = request.koperasi
    member = None
    mid = request.POST.get("anggota") or request.GET.get("anggota")
    if mid and str(mid).isdigit():
        member = Member.objects.filter(koperasi=k, pk=int(mid)).first()
    q = request.GET.get("q", "").strip()
    matches = list(search_members(k, q).filter(status__in=Member.CURRENT_STATUSES)[:20]) if q and not member else []
    if len(matches) == 1:
        member = matches[0]
    initial = {"date": timezone.localdate(), "client_key": uuid.uuid4().hex, "op": "setor",
               "kind": request.GET.get("jenis") or (Kind.POKOK if member and member.status == "calon" else Kind.WAJIB),
               "method": "tunai"}
    form = CounterForm(request.POST or None, initial=initial)
    if request.method == "POST" and member is not None and form.is_valid():
        cd = form.cleaned_data
        try:
            common = {"method": cd["method"], "reference": cd["reference"], "date": cd["date"], "by": request.user,
                      "client_key": cd["client_key"]}
            if cd["op"] == "tarik":
                receipt = services.withdraw(member, cd["kind"], cd["amount"], **common)
            elif cd["kind"] == Kind.POKOK:
                receipt = services.pay_pokok(member, **common)
            else:
                receipt = services.deposit(member, cd["kind"], cd["amount"], **common)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Transaksi %(number)s tersimpan dan diposting ke jurnal.")
                             % {"number": receipt.number})
            return redirect("savings:receipt", slug=k.slug, pk=receipt.pk)
    ctx = {"form": form, "member": member, "matches": matches, "q": q, "can_write": request.can_write_registry}
    if member:
        ctx["balances"] = services.balances(member)
        ctx["arrears"] = services.member_arrears(member)
        ctx["minimum"] = services.settings_for(k).sukarela_min_balance
        bylaws = k.current_bylaws
        ctx["pokok_amount"] = bylaws.simpanan_pokok if bylaws else None
    return render(request, "savings/counter.html", ctx)


@registry_view(savings=True)
def receipt(request, pk):
    r = get_object_or_404(Receipt.objects.select_related("member", "created_by"), pk=pk, koperasi=request.koperasi)
    width = "80" if request.GET.get("lebar") == "80" else "58"
    return render(request, "savings/receipt.html", {"r": r, "width": width})


@registry_view(savings=True)
def transactions(request):
    k = request.koperasi
    qs = SavingsTransaction.objects.filter(koperasi=k).select_related("member", "receipt").order_by("-date", "-id")
    f = filters.read(request, jenis=forms.ChoiceField(required=False, choices=[("", "—"), *Kind.choices]),
                     dari=filters.date(_("Dari")), sampai=filters.date(_("Sampai")))
    kind, start, end = f.value("jenis", ""), f.value("dari"), f.value("sampai")
    if kind:
        qs = qs.filter(kind=kind)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(["Tanggal", "No. anggota", "Nama", "Simpanan", "Transaksi", "Jumlah", "Cara", "Referensi",
                   "Bukti", "Jurnal"])
        for t in qs.iterator(chunk_size=2000):
            ws.append([t.date, t.member.number, t.member.name, t.get_kind_display(), t.get_type_display(),
                       float(t.amount), t.method, t.reference, t.receipt.number if t.receipt_id else "",
                       t.entry_number])
        data = xlsx_bytes(wb)
        resp = HttpResponse(data, content_type=XLSX)
        resp["Content-Disposition"] = f'attachment; filename="mutasi-simpanan-{k.slug}.xlsx"'
        return resp
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "savings/transactions.html", {"page": page, "kinds": Kind.choices, "jenis": kind,
                                                         "dari": f.data.get("dari", ""),
                                                         "sampai": f.data.get("sampai", ""), "filters": f})


@registry_view(savings=True)
def billing(request):
    k = request.koperasi
    today = timezone.localdate()
    form = BillingForm(request.POST or None, initial={"period": today.strftime("%Y-%m"), "autodebit": True})
    if request.method == "POST" and form.is_valid():
        try:
            run, created = services.run_billing(k, form.cleaned_data["period"],
                                                autodebit=form.cleaned_data["autodebit"], by=request.user)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            if created:
                messages.success(request, _("Tagihan wajib %(period)s: %(billed)s anggota; %(debited)s didebit dari "
                                            "sukarela.") % {"period": f"{run.period:%m/%Y}",
                                                            "billed": run.members_billed,
                                                            "debited": run.autodebit_count})
            else:
                messages.info(request, _("Tagihan %(period)s sudah dibuat sebelumnya; tidak ada yang ditambahkan.")
                              % {"period": f"{run.period:%m/%Y}"})
            return redirect("savings:billing", slug=k.slug)
    runs = BillingRun.objects.filter(koperasi=k)
    return render(request, "savings/billing.html", {"form": form, "runs": runs,
                                                    "can_write": request.can_write_registry})


@registry_view(savings=True)
def arrears_list(request):
    k = request.koperasi
    as_of = timezone.localdate()
    rows = (WajibDue.objects.filter(koperasi=k, status=WajibDue.Status.OPEN, period__lte=as_of)
            .values("member_id", "member__number", "member__name", "member__dusun", "member__phone")
            .annotate(amount=Sum(F("amount") - F("paid")), months=Count("id")).order_by("-months", "member__number"))
    rows = [r for r in rows if r["amount"]]
    total = sum(r["amount"] for r in rows)
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Tunggakan wajib"
        ws.append(["No. anggota", "Nama", "Dusun", "HP", "Bulan", "Tunggakan"])
        for r in rows:
            ws.append([r["member__number"], r["member__name"], r["member__dusun"], r["member__phone"], r["months"],
                       float(r["amount"])])
        ws.append(["", "Jumlah", "", "", "", float(total)])
        data = xlsx_bytes(wb)
        resp = HttpResponse(data, content_type=XLSX)
        resp["Content-Disposition"] = f'attachment; filename="tunggakan-wajib-{k.slug}-{as_of}.xlsx"'
        return resp
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "savings/arrears.html", {"page": page, "total": total, "count": len(rows)})


def _statement_range(request):
    f = filters.read(request, dari=filters.date(_("Dari")), sampai=filters.date(_("Sampai")))
    return f.value("dari"), f.value("sampai"), f


@registry_view(savings=True)
def statement(request, pk):
    m = get_object_or_404(Member.objects.select_related("koperasi__region"), pk=pk, koperasi=request.koperasi)
    start, end, f = _statement_range(request)
    st = member_statement(m, start, end)
    if request.GET.get("format") == "pdf":
        from .pdf import statement_pdf

        resp = HttpResponse(statement_pdf(st), content_type="application/pdf")
        resp["Content-Disposition"] = f'inline; filename="rekening-simpanan-{m.number}.pdf"'
        return resp
    return render(request, "savings/statement.html", {"st": st, "m": m, "dari": start, "sampai": end,
                                                      "filters": f})


@registry_view(savings=True)
def passbook(request, pk):
    """Printable passbook page: fixed-height rows, continuing from a given line number."""
    m = get_object_or_404(Member, pk=pk, koperasi=request.koperasi)
    st = member_statement(m)
    f = filters.read(request, baris=filters.number(_("Baris"), max_value=1_000_000))
    start_line = f.value("baris", 1)
    per_page = 24
    rows = st.rows[start_line - 1:start_line - 1 + per_page]
    return render(request, "savings/passbook.html", {"m": m, "rows": rows, "start_line": start_line,
                                                     "next_line": start_line + len(rows), "total_rows": len(st.rows), "filters": f})


@registry_view(savings=True, roles=PENGURUS_ROLES)
def settings_page(request):
    k = request.koperasi
    obj = services.settings_for(k)
    form = SettingsForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(k, by=request.user, **{f: form.cleaned_data[f] for f in SettingsForm.Meta.fields})
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Pengaturan simpanan disimpan."))
            return redirect("savings:settings", slug=k.slug)
    return render(request, "savings/settings.html", {"form": form, "can_edit": request.access.is_pengurus})


@registry_view(savings=True, roles=MANAGEMENT_ROLES)
def jasa(request):
    k = request.koperasi
    if request.method == "POST":
        period = _month(request.POST.get("period"))
        if period is None:
            messages.error(request, _("Bulan tidak valid."))
        else:
            try:
                run, created = services.run_jasa(k, period, by=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                if created:
                    messages.success(request, _("Jasa %(period)s: %(members)s anggota, bruto %(gross)s, pajak %(tax)s.")
                                     % {"period": f"{period:%m/%Y}", "members": run.members_paid,
                                        "gross": format_rupiah(run.gross_total),
                                        "tax": format_rupiah(run.tax_total)})
                else:
                    messages.info(request, _("Jasa %(period)s sudah dihitung sebelumnya.") % {"period": f"{period:%m/%Y}"})
        return redirect("savings:home", slug=k.slug)
    return redirect("savings:home", slug=k.slug)
