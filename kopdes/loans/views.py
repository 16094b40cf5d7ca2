"""Simpan pinjam pages under /k/<slug>/pinjaman/ (thin: services do the work)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.core.access import require_write, tenant_view
from kopdes.core.errors import DomainError
from kopdes.core.models import MANAGEMENT_ROLES
from kopdes.core.money import format_rupiah
from kopdes.core.units import Unit

from . import exports, queries, rules, services
from .forms import (
    AgeingForm,
    ApplicationForm,
    BankFacilityForm,
    CalculatorForm,
    DisburseForm,
    NoteForm,
    PeriodForm,
    ProductForm,
    ReasonForm,
    RecoverForm,
    RepayForm,
    RestructureForm,
    SettingsForm,
)
from .models import AgeingRun, BankFacility, BankInstallment, Loan, LoanProduct, Repayment
from .schedule import Terms, describe, generate

SP = Unit.SIMPAN_PINJAM


def _form_error(form, exc: DomainError) -> None:
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        form.add_error(None, exc.message)


def dashboard_widget(request):
    access = getattr(request, "access", None)
    if access is None or not access.can_read(SP):
        return None
    return {"title": _("Simpan pinjam"), "template": "loans/_widget.html", "order": 20,
            "context": {**queries.dashboard_figures(request.koperasi), "slug": request.koperasi.slug}}


@tenant_view(unit=SP)
def home(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    status = request.GET.get("status", "")
    q = (request.GET.get("q") or "").strip()
    loans = Loan.objects.filter(koperasi=k).select_related("member", "product")
    if status:
        loans = loans.filter(status=status)
    if q:
        loans = loans.filter(member__name__icontains=q) | loans.filter(number__icontains=q)
    page = Paginator(loans.order_by("-applied_on", "-id"), 25).get_page(request.GET.get("page"))
    return render(request, "loans/home.html", {
        "page": page, "figures": queries.dashboard_figures(k), "status": status, "q": q,
        "statuses": Loan.Status.choices,
        "products": LoanProduct.objects.filter(koperasi=k).count(),
    })


@tenant_view(unit=SP)
def calculator(request: HttpRequest) -> HttpResponse:
    form = CalculatorForm(request.GET or None)
    schedule = None
    summary = ""
    if request.GET and form.is_valid():
        c = form.cleaned_data
        try:
            terms = Terms(principal=c["amount"], rate=c["rate"], tenor=c["tenor"], method=c["method"],
                          rate_period=c["rate_period"], frequency=c["frequency"], day_count=c["day_count"],
                          season_months=c["season_months"] or 4, balloon=c["balloon"],
                          grace_principal=c["grace_principal"] or 0, grace_interest=c["grace_interest"] or 0,
                          rounding=c["rounding"], start_date=c["start_date"] or timezone.localdate())
            schedule = generate(terms)
            summary = describe(terms)
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "loans/calculator.html", {"form": form, "schedule": schedule, "summary": summary})


@tenant_view(write=True, unit=SP, roles=MANAGEMENT_ROLES)
def products(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    form = ProductForm(request.POST or None)
    if request.method == "POST":
        if "defaults" in request.POST:
            services.default_products(k)
            messages.success(request, _("Produk standar dibuat."))
            return redirect("loans:products", slug=k.slug)
        if form.is_valid():
            data = {f: form.cleaned_data[f] for f in form.cleaned_data}
            try:
                services.create_product(k, **data)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Produk pinjaman disimpan."))
                return redirect("loans:products", slug=k.slug)
    return render(request, "loans/products.html", {
        "form": form, "products": LoanProduct.objects.filter(koperasi=k),
        "can_edit": request.access.can_write(SP) and request.access.is_management})


@tenant_view(write=True, unit=SP, roles=MANAGEMENT_ROLES)
def settings_view(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    obj = services.settings_for(k)
    form = SettingsForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Pengaturan kolektibilitas & PPAP disimpan."))
        return redirect("loans:settings", slug=k.slug)
    return render(request, "loans/settings.html", {"form": form})


@tenant_view(write=True, unit=SP)
def apply(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    form = ApplicationForm(k, request.POST or None, initial={"member": request.GET.get("member")})
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            loan = services.apply(k, member=c["member"], product=c["product"], amount=c["amount"], tenor=c["tenor"],
                                  purpose=c["purpose"], sector=c["sector"], purpose_note=c["purpose_note"],
                                  income=c["income"], expense=c["expense"], other_instalments=c["other_instalments"],
                                  collateral_type=c["collateral_type"], collateral_value=c["collateral_value"] or 0,
                                  collateral_docs=c["collateral_docs"], guarantor=c["guarantor"],
                                  grace_principal=c["grace_principal"] or 0, grace_interest=c["grace_interest"] or 0,
                                  by=request.user)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Pengajuan %(number)s tersimpan.") % {"number": loan.number})
            return redirect("loans:detail", slug=k.slug, pk=loan.pk)
    return render(request, "loans/apply.html", {"form": form})


def _loan(request, pk) -> Loan:
    return get_object_or_404(Loan.objects.select_related("member", "product", "guarantor"), pk=pk,
                             koperasi=request.koperasi)


@tenant_view(write=True, unit=SP)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    loan = _loan(request, pk)
    today = timezone.localdate()
    rows = list(loan.installments.order_by("version", "no"))
    schedule = None if loan.disbursed_on else generate(loan.terms(start=today))
    ctx = {
        "loan": loan, "rows": rows, "preview": schedule, "events": loan.events.select_related("by"),
        "repayments": loan.repayments.all(), "approvals": loan.approvals.select_related("by"),
        "needed": services.approvals_needed(loan), "capacity": services.capacity(loan),
        "dues": services.dues(loan, today) if loan.status == Loan.Status.AKTIF else None,
        "quote": services.settlement_quote(loan, today) if loan.status == Loan.Status.AKTIF else None,
        "statement": queries.statement(loan),
        "note_form": NoteForm(), "reason_form": ReasonForm(),
        "disburse_form": DisburseForm(initial={"key": uuid.uuid4().hex}),
        "repay_form": RepayForm(initial={"key": uuid.uuid4().hex}),
        "restructure_form": RestructureForm(), "recover_form": RecoverForm(initial={"key": uuid.uuid4().hex}),
        "can_write": request.access.can_write(SP), "is_committee": request.access.is_management,
        "fees": services.fees_for(loan),
    }
    return render(request, "loans/detail.html", ctx)


def _action(request, pk, fn, ok: str, form_cls=None):
    """Run one POST action on a loan; DomainError → message, nothing written."""
    if request.method != "POST":
        return redirect("loans:detail", slug=request.koperasi.slug, pk=pk)
    loan = _loan(request, pk)
    form = form_cls(request.POST) if form_cls else None
    if form is not None and not form.is_valid():
        for field, errs in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errs)}")
        return redirect("loans:detail", slug=request.koperasi.slug, pk=pk)
    try:
        fn(loan, form.cleaned_data if form is not None else {})
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("loans:detail", slug=request.koperasi.slug, pk=pk)


@tenant_view(write=True, unit=SP)
def analyse(request, pk):
    return _action(request, pk, lambda loan, c: services.analyse(request.koperasi, loan, note=c["note"],
                                                                  by=request.user), _("Analisis tersimpan."), NoteForm)


@tenant_view(write=True, unit=SP, roles=rules.COMMITTEE_ROLES)
def approve(request, pk):
    return _action(request, pk, lambda loan, c: services.approve(request.koperasi, loan, by=request.user,
                                                                  note=c.get("note", "")),
                   _("Persetujuan tercatat."), NoteForm)


@tenant_view(write=True, unit=SP, roles=rules.COMMITTEE_ROLES)
def reject(request, pk):
    return _action(request, pk, lambda loan, c: services.reject(request.koperasi, loan, by=request.user,
                                                                 reason=c["reason"]), _("Pengajuan ditolak."), ReasonForm)


@tenant_view(write=True, unit=SP)
def disburse(request, pk):
    return _action(request, pk, lambda loan, c: services.disburse(
        request.koperasi, loan, by=request.user, date=c["date"], channel=c["channel"],
        first_due_date=c["first_due_date"], idempotency_key=c["key"] or None), _("Pinjaman dicairkan."), DisburseForm)


@tenant_view(write=True, unit=SP)
def repay(request, pk):
    holder = {}

    def fn(loan, c):
        holder["rep"] = services.repay(request.koperasi, loan, amount=c["amount"], date=c["date"],
                                       channel=c["channel"], by=request.user, settle=c["settle"],
                                       idempotency_key=c["key"] or None)

    resp = _action(request, pk, fn, _("Pembayaran tercatat."), RepayForm)
    if "rep" in holder:
        messages.info(request, _("Kuitansi %(number)s siap dicetak.") % {"number": holder["rep"].number})
    return resp


@tenant_view(write=True, unit=SP, roles=MANAGEMENT_ROLES)
def restructure(request, pk):
    return _action(request, pk, lambda loan, c: services.restructure(
        request.koperasi, loan, by=request.user, date=c["date"], tenor=c["tenor"], rate=c["rate"],
        grace_principal=c["grace_principal"], grace_interest=c["grace_interest"], reason=c["reason"]),
        _("Restrukturisasi tercatat; jadwal baru dibuat."), RestructureForm)


@tenant_view(write=True, unit=SP, roles=MANAGEMENT_ROLES)
def write_off(request, pk):
    return _action(request, pk, lambda loan, c: services.write_off(request.koperasi, loan, by=request.user,
                                                                    reason=c["reason"]),
                   _("Pinjaman dihapus buku."), ReasonForm)


@tenant_view(write=True, unit=SP)
def recover(request, pk):
    return _action(request, pk, lambda loan, c: services.recover(
        request.koperasi, loan, amount=c["amount"], date=c["date"], channel=c["channel"], by=request.user,
        idempotency_key=c["key"] or None), _("Pemulihan tercatat."), RecoverForm)


@tenant_view(write=True, unit=SP, roles=MANAGEMENT_ROLES)
def cancel(request, pk):
    return _action(request, pk, lambda loan, c: services.cancel(request.koperasi, loan, by=request.user,
                                                                 reason=c["reason"]),
                   _("Pengajuan dibatalkan."), ReasonForm)


@tenant_view(write=True, unit=SP, roles=MANAGEMENT_ROLES)
def reverse_repayment(request, pk, rid):
    loan = _loan(request, pk)
    rep = get_object_or_404(Repayment, pk=rid, loan=loan, koperasi=request.koperasi)
    return _action(request, pk, lambda _loan_, c: services.reverse_repayment(request.koperasi, rep, by=request.user,
                                                                             reason=c["reason"]),
                   _("Pembayaran %(number)s dibatalkan.") % {"number": rep.number}, ReasonForm)


@tenant_view(unit=SP)
def agreement_pdf(request, pk):
    loan = _loan(request, pk)
    return exports.pdf_response(exports.agreement_pdf(loan), f"perjanjian-{loan.number}.pdf")


@tenant_view(unit=SP)
def schedule_pdf(request, pk):
    loan = _loan(request, pk)
    return exports.pdf_response(exports.schedule_pdf(loan), f"jadwal-{loan.number}.pdf")


@tenant_view(unit=SP)
def loan_card_pdf(request, pk):
    loan = _loan(request, pk)
    return exports.pdf_response(exports.loan_card_pdf(loan), f"kartu-pinjaman-{loan.number}.pdf")


@tenant_view(unit=SP)
def receipt_pdf(request, pk, rid):
    loan = _loan(request, pk)
    rep = get_object_or_404(Repayment, pk=rid, loan=loan, koperasi=request.koperasi)
    return exports.pdf_response(exports.receipt_pdf(rep), f"kuitansi-{rep.number}.pdf")


@tenant_view(write=True, unit=SP)
def portfolio(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    form = AgeingForm(request.POST or None)
    if request.method == "POST":
        require_write(request, SP, roles=MANAGEMENT_ROLES)
        if form.is_valid():
            try:
                run = services.run_ageing(k, as_of=form.cleaned_data["as_of"], by=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Kolektibilitas %(count)s pinjaman dihitung; selisih PPAP %(amount)s dijurnal.") % {
                    "count": run.loan_count, "amount": format_rupiah(run.provision_posted)})
                return redirect("loans:portfolio", slug=k.slug)
    as_of = _date_param(request, "as_of") or timezone.localdate()
    period = PeriodForm(request.GET or None)
    start, end = as_of.replace(day=1), as_of
    if request.GET.get("start") and period.is_valid():
        start, end = period.cleaned_data["start"], period.cleaned_data["end"]
    fmt = request.GET.get("format")
    summary = queries.portfolio_summary(k, as_of)
    arrears = queries.arrears_list(k, as_of)
    flows = queries.flows(k, start, end)
    if fmt == "xlsx":
        return exports.xlsx_response(exports.portfolio_xlsx(k, summary, arrears, flows),
                                     f"portofolio-{as_of}.xlsx")
    if fmt == "pdf":
        return exports.pdf_response(exports.portfolio_pdf(k, summary, arrears, flows), f"portofolio-{as_of}.pdf")
    return render(request, "loans/portfolio.html", {
        "summary": summary, "arrears": arrears, "flows": flows, "form": form, "period": period,
        "runs": AgeingRun.objects.filter(koperasi=k)[:12], "as_of": as_of,
        "can_run": request.access.can_write(SP) and request.access.is_management})


def _date_param(request, name):
    try:
        return dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


@tenant_view(write=True, unit=SP, roles=MANAGEMENT_ROLES)
def bank(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    form = BankFacilityForm(request.POST or None)
    if request.method == "POST":
        if "pay" in request.POST:
            inst = get_object_or_404(BankInstallment, pk=request.POST.get("pay"), koperasi=k)
            try:
                services.pay_bank_installment(k, inst, by=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Angsuran ke-%(no)s dibayar.") % {"no": inst.no})
            return redirect("loans:bank", slug=k.slug)
        if form.is_valid():
            c = form.cleaned_data
            try:
                services.record_bank_facility(k, by=request.user, **c)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Pembiayaan bank dicatat."))
                return redirect("loans:bank", slug=k.slug)
    today = timezone.localdate()
    facilities = list(BankFacility.objects.filter(koperasi=k).prefetch_related("installments"))
    upcoming = BankInstallment.objects.filter(koperasi=k, paid_on__isnull=True).select_related("facility").order_by(
        "due_date")[:12]
    for f in facilities:
        insts = list(f.installments.all())
        f.outstanding = sum((i.principal_due for i in insts if not i.paid_on), 0)
        f.next12 = sum((i.principal_due + i.interest_due for i in insts
                        if not i.paid_on and i.due_date <= today + dt.timedelta(days=365)), 0)
        f.rows = insts
    # cash-flow effect: what leaves the bank account each of the next 12 months (principal + interest)
    months: dict[str, list] = {}
    horizon = today + dt.timedelta(days=366)
    for i in BankInstallment.objects.filter(koperasi=k, paid_on__isnull=True, due_date__lte=horizon).order_by(
            "due_date"):
        m = months.setdefault(i.due_date.strftime("%m-%Y"), [0, 0])
        m[0] += i.principal_due
        m[1] += i.interest_due
    cashflow = [(label, p, i, p + i) for label, (p, i) in months.items()]
    return render(request, "loans/bank.html", {"form": form, "facilities": facilities, "upcoming": upcoming,
                                               "today": today, "cashflow": cashflow})
