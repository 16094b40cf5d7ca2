"""Supervision pages.

Global (``/pengawasan/…``, Dinas and national users): region dashboards with drill-down, the table of every
cooperative (filters, sort, pagination, Excel), villages per formation stage, warnings, a village's formation
record with evidence, Excel bulk update. A region-scoped user gets 404 for any region outside their scope.

Tenant (``/k/<slug>/pembinaan/…``): one cooperative's snapshot, health breakdown and trend, warnings, visits,
governance indicators and RAT. Supervisors only read the cooperative's data but write their own supervision
records; the cooperative's management may record formation data, RAT and follow-up of findings.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.core import filters
from kopdes.core.access import tenant_view
from kopdes.core.errors import DomainError
from kopdes.core.models import Koperasi, Region

from . import exports, health, jobs, queries, services, snapshots
from .access import (
    can_edit_village,
    can_view_village,
    covers,
    manages_village,
    request_scope,
    require_region,
    root_code,
    supervises,
)
from .forms import (
    EvidenceForm,
    FindingFormSet,
    FollowUpForm,
    FormationForm,
    GovernanceForm,
    ImportForm,
    RatForm,
    VisitForm,
)
from .health import ASPECT_LABELS
from .models import (
    GOVERNANCE_INDICATORS,
    MILESTONE_LABELS,
    STAGE_LABELS,
    STAGES,
    WARNING_CODES,
    AnnualMeetingReport,
    CoopSnapshot,
    FormationEvidence,
    GovernanceIndicator,
    HealthClass,
    HealthScore,
    Job,
    SupervisionVisit,
    VisitFinding,
    Warning,
)


def _crumbs(request: HttpRequest, code: str) -> list[tuple[str, str]]:
    """The region path down to ``code``, only the levels this official may open (a kabupaten's Dinas gets no
    link to the national or provincial view)."""
    return [c for c in queries.breadcrumbs(code) if covers(request_scope(request), c[0])]

def _apply_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _supervisor_scope(request) -> list[str]:
    codes = request_scope(request)
    if codes is None:
        raise PermissionDenied
    return codes


def _region_code(request) -> str:
    """``?wilayah=`` (default: the user's own scope), checked against the scope (404 outside)."""
    codes = _supervisor_scope(request)
    code = request.GET.get("wilayah", "").strip()
    if not code and codes:
        code = root_code(codes)
    require_region(request, code)
    return code


# --- global pages -------------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    codes = _supervisor_scope(request)
    code = root_code(codes)
    if len(codes) > 1:
        names = queries.region_name_map(codes)
        return render(request, "supervision/scopes.html", {"scopes": [(c, names.get(c, c)) for c in sorted(codes)]})
    return region(request, code)


@login_required
def region(request: HttpRequest, code: str = "") -> HttpResponse:
    _supervisor_scope(request)
    require_region(request, code)
    if code and not Region.objects.filter(code=code, level__lte=3).exists():
        raise Http404
    ctx = queries.dashboard(code)
    ctx["code"] = code
    ctx["u"] = {"desa": reverse("supervision:village_list"), "koperasi": reverse("supervision:coop_list"),
                "peringatan": reverse("supervision:warning_list"), "wilayah": reverse("supervision:national")}
    ctx["crumbs"] = _crumbs(request, code)
    ctx["chart"] = {
        "months": ctx["months"],
        "series": [{"label": str(MILESTONE_LABELS[k]), "data": v} for k, v in ctx["series"].items()],
        "health": {"labels": [str(h[1]) for h in ctx["health"]], "data": [h[2] for h in ctx["health"]]},
        "problems": {"labels": [str(w[1]) for w in ctx["warnings"]], "data": [w[2] for w in ctx["warnings"]]},
    }
    if request.GET.get("format") == "pdf":
        title = ctx["crumbs"][-1][1]
        resp = HttpResponse(exports.region_pdf(ctx, title), content_type="application/pdf")
        resp["Content-Disposition"] = f'attachment; filename="pengawasan-{code or "nasional"}.pdf"'
        return resp
    ctx["is_national"] = request_scope(request) == [] or request.user.is_superuser
    return render(request, "supervision/region.html", ctx)


@login_required
def coop_list(request: HttpRequest) -> HttpResponse:
    code = _region_code(request)
    qs, filters = queries.coop_table(code, request.GET)
    if request.GET.get("format") == "xlsx":
        if qs.count() > jobs.EXPORT_SYNC_LIMIT:  # too big for the request: a background job with progress
            job = jobs.start_export(code, request.GET, by=request.user)
            messages.info(request, _("Ekspor besar dijalankan di latar belakang; unduh setelah selesai."))
            return redirect("supervision:job", pk=job.pk)
        return _coop_xlsx(qs, code)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = queries.with_place_names(page.object_list)
    return render(request, "supervision/coop_list.html", {
        "page": page, "f": filters, "code": code, "crumbs": _crumbs(request, code),
        "classes": HealthClass.choices, "warnings": Warning.choices, "stages": STAGES,
        "statuses": Koperasi.Status.choices, "sorts": queries.SORTS, "u": _url_parts(),
    })


def _url_parts() -> dict:
    """URL prefixes/suffixes for links in long tables (one ``reverse`` per page instead of one per row)."""
    k_pre, k_post = reverse("supervision:koperasi", kwargs={"slug": "SLUG"}).split("SLUG")
    return {"k_pre": k_pre, "k_post": k_post, "desa": reverse("supervision:village", kwargs={"code": "X"})[:-2]}


def _coop_xlsx(qs, code: str) -> HttpResponse:
    resp = HttpResponse(exports.coop_workbook(qs), content_type=exports.XLSX)
    resp["Content-Disposition"] = f'attachment; filename="koperasi-{code or "nasional"}.xlsx"'
    return resp


@login_required
def village_list(request: HttpRequest) -> HttpResponse:
    code = _region_code(request)
    stage = request.GET.get("tahap", "")
    stage_n = int(stage) if stage.isdigit() else None
    qs = queries.villages_at_stage(code, stage_n)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "supervision/village_list.html", {
        "page": page, "code": code, "crumbs": _crumbs(request, code), "stage": stage_n, "stages": STAGES,
        "stage_label": STAGE_LABELS.get(stage_n) if stage_n is not None else None,
        "next_step": queries.stage_next_step(stage_n) if stage_n is not None else None, "u": _url_parts(),
    })


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    code = _region_code(request)
    qs = CoopSnapshot.objects.filter(queries.region_prefix_q("region_code", code), warning_count__gt=0)
    kind = request.GET.get("jenis", "")
    if kind in WARNING_CODES:
        qs = qs.filter(**{f"w_{kind}": True})
    qs = qs.select_related("koperasi").order_by("-warning_count", "region_code")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = queries.with_place_names(page.object_list)
    return render(request, "supervision/warning_list.html", {
        "page": page, "code": code, "crumbs": _crumbs(request, code), "kind": kind, "warnings": Warning.choices,
        "u": _url_parts(),
    })


@login_required
def village(request: HttpRequest, code: str) -> HttpResponse:
    region_obj = Region.objects.filter(code=code, level=4).first()
    if region_obj is None or not can_view_village(request.user, code):
        raise Http404
    can_edit = can_edit_village(request.user, code)
    formation = queries.formation_of(code)
    form = FormationForm(request.POST or None, instance=formation)
    ev_form = EvidenceForm()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action", "formasi")
        if action == "bukti":
            ev_form = EvidenceForm(request.POST, request.FILES)
            if ev_form.is_valid():
                try:
                    services.add_evidence(code, ev_form.cleaned_data["milestone"], ev_form.cleaned_data["file"],
                                          by=request.user)
                except DomainError as exc:
                    _apply_error(ev_form, exc)
                else:
                    messages.success(request, _("Bukti diunggah."))
                    return redirect("supervision:village", code=code)
            form = FormationForm(instance=formation)
        elif form.is_valid():
            data = {f: form.cleaned_data[f] for f in form.changed_data}
            if formation is None:
                data = {f: v for f, v in form.cleaned_data.items() if v not in (None, "")}
            via = "dinas" if covers(request_scope(request), code) else "koperasi"
            try:
                services.record_formation(code, data, by=request.user, via=via)
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Data pembentukan disimpan."))
                return redirect("supervision:village", code=code)
    koperasi = Koperasi.objects.filter(region_id=code).first()
    return render(request, "supervision/village.html", {
        "region": region_obj, "formation": formation, "form": form, "ev_form": ev_form, "can_edit": can_edit,
        "village_koperasi": koperasi, "crumbs": _crumbs(request, code),
        "evidence": formation.evidence.all() if formation else [],
        "is_supervisor": covers(request_scope(request), code),
    })


@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    ev = get_object_or_404(FormationEvidence.objects.select_related("formation"), pk=pk)
    if not can_view_village(request.user, ev.formation.region_id):
        raise Http404
    try:
        fh = ev.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    resp = FileResponse(fh, content_type=ev.content_type, filename=ev.original_name,
                        as_attachment=ev.content_type == "application/pdf")
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@login_required
def import_formations(request: HttpRequest) -> HttpResponse:
    codes = _supervisor_scope(request)
    if request.GET.get("template") == "1":
        resp = HttpResponse(services.import_template(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = 'attachment; filename="templat-pembentukan-kdmp.xlsx"'
        return resp
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_formations(form.cleaned_data["file"], by=request.user)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            if result.ok:
                messages.success(request, _("%(n)d desa diperbarui.") % {"n": result.applied})
            else:
                messages.error(request, _("%(n)d baris salah; tidak ada yang disimpan.") % {"n": len(result.errors)})
    return render(request, "supervision/import.html", {"form": form, "result": result, "codes": codes})


@login_required
def parameters(request: HttpRequest) -> HttpResponse:
    """Health-score weights, ratio bands, class limits and warning thresholds. National users may change them
    (a new version; the newest applies at the next refresh)."""
    import json

    codes = _supervisor_scope(request)
    can_edit = codes == [] or request.user.is_superuser
    cfg = health.current_config()
    error = None
    text = json.dumps({k: cfg[k] for k in ("weights", "classes", "thresholds", "bands")}, indent=2, ensure_ascii=False)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        text = request.POST.get("config", "")
        try:
            services.save_health_config(json.loads(text), by=request.user)
        except (ValueError, DomainError) as exc:
            error = exc.message if isinstance(exc, DomainError) else f"JSON tidak valid: {exc}"
        else:
            messages.success(request, _("Parameter disimpan; berlaku pada penyegaran berikutnya."))
            return redirect("supervision:parameters")
    return render(request, "supervision/parameters.html", {"text": text, "error": error, "can_edit": can_edit,
                                                           "aspects": health.ASPECT_LABELS, "cfg": cfg})


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """The user's background jobs; POST ``jenis=refresh_all`` starts the full refresh (national users)."""
    _supervisor_scope(request)
    if request.method == "POST":
        if request.POST.get("jenis") != Job.Kind.REFRESH_ALL:
            raise Http404
        try:
            job = jobs.start_refresh_all(by=request.user)
        except DomainError as exc:
            raise PermissionDenied(exc.message) from None
        return redirect("supervision:job", pk=job.pk)
    qs = Job.objects.all() if request.user.is_superuser else Job.objects.filter(created_by=request.user)
    return render(request, "supervision/job_list.html", {"jobs": qs[:50]})


def _visible_job(request, pk: int) -> Job:
    job = get_object_or_404(Job, pk=pk)
    if not jobs.visible_to(job, request.user):
        raise Http404
    return job


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    j = _visible_job(request, pk)
    tpl = "supervision/_job_progress.html" if request.headers.get("HX-Request") else "supervision/job.html"
    return render(request, tpl, {"job": j})


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    j = _visible_job(request, pk)
    if j.status != Job.Status.DONE or not j.result_file:
        raise Http404
    try:
        fh = j.result_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(fh, content_type=exports.XLSX, filename=j.result_name, as_attachment=True)


# --- tenant pages --------------------------------------------------------------------------------------------


def _tenant_ctx(request) -> dict:
    k = request.koperasi
    return {"is_supervisor": supervises(request.user, k),
            "is_manager": request.access.is_management,
            "can_refresh": supervises(request.user, k) or request.access.is_management}


@tenant_view()
def koperasi(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    if request.method == "POST":
        ctx = _tenant_ctx(request)
        if not ctx["can_refresh"]:
            raise PermissionDenied
        snapshots.refresh_koperasi(k)
        messages.success(request, _("Ringkasan dan skor kesehatan dihitung ulang dari pembukuan."))
        return redirect("supervision:koperasi", slug=k.slug)
    snap = CoopSnapshot.objects.filter(koperasi=k).first()
    if snap is None:
        snap = snapshots.refresh_koperasi(k)
    scores = list(HealthScore.objects.filter(koperasi=k).order_by("period"))
    latest = scores[-1] if scores else None
    breakdown = []
    if latest:
        for aspect, label in ASPECT_LABELS.items():
            rows = [r for r in latest.breakdown if r["aspect"] == aspect]
            breakdown.append({"aspect": label, "weight": rows[0].get("weight") if rows else 0, "rows": rows})
    formation = queries.formation_of(k.region_id)
    visits = SupervisionVisit.objects.filter(koperasi=k).prefetch_related("findings")[:10]
    open_findings = VisitFinding.objects.filter(koperasi=k).exclude(follow_up="selesai").count()
    return render(request, "supervision/koperasi.html", {
        **_tenant_ctx(request), "snap": snap, "scores": scores, "latest": latest, "breakdown": breakdown,
        "formation": formation, "visits": visits, "open_findings": open_findings,
        "governance": GovernanceIndicator.objects.filter(koperasi=k)[:12],
        "rats": AnnualMeetingReport.objects.filter(koperasi=k)[:5],
        "trend": {"labels": [f"{s.period:%m/%Y}" for s in scores], "data": [float(s.score) for s in scores]},
        "revenue_by_unit": sorted(snap.revenue_by_unit.items()), "result_by_unit": dict(snap.result_by_unit),
    })


@tenant_view()
def visit_new(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    if not supervises(request.user, k):
        raise PermissionDenied
    form = VisitForm(request.POST or None, initial={"date": timezone.localdate()})
    formset = FindingFormSet(request.POST or None, prefix="t")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        findings = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("indicator")]
        try:
            visit = services.record_visit(k, date=form.cleaned_data["date"], purpose=form.cleaned_data["purpose"],
                                          summary=form.cleaned_data["summary"], findings=findings, by=request.user)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Kunjungan pengawasan dicatat."))
            return redirect("supervision:visit", slug=k.slug, pk=visit.pk)
    return render(request, "supervision/visit_new.html", {"form": form, "formset": formset})


@tenant_view()
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    k = request.koperasi
    v = get_object_or_404(SupervisionVisit, pk=pk, koperasi=k)
    can_follow = supervises(request.user, k) or manages_village(request.user, k.region_id)
    if request.method == "POST":
        if not can_follow:
            raise PermissionDenied
        finding = get_object_or_404(VisitFinding, pk=request.POST.get("finding"), koperasi=k, visit=v)
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.update_follow_up(finding, status=form.cleaned_data["follow_up"],
                                          note=form.cleaned_data["follow_up_note"], by=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Tindak lanjut diperbarui."))
        return redirect("supervision:visit", slug=k.slug, pk=v.pk)
    return render(request, "supervision/visit.html", {"visit": v, "findings": v.findings.all(),
                                                      "can_follow": can_follow, "follow_form": FollowUpForm()})


@tenant_view()
def governance(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    can_edit = supervises(request.user, k)
    f = filters.read(request, tahun=filters.year(_("Tahun")))
    year = f.value("tahun", timezone.localdate().year)
    if request.method == "POST":
        year = filters.read(request.POST, year=filters.year()).value("year", year)
    existing = {g.key: g for g in GovernanceIndicator.objects.filter(koperasi=k, year=year)}
    initial = {"year": year}
    for key, g in existing.items():
        initial[f"score_{key}"], initial[f"note_{key}"] = g.score, g.note
    form = GovernanceForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            cd = form.cleaned_data
            try:
                services.set_governance(k, year=cd["year"], by=request.user,
                                        scores={key: cd[f"score_{key}"] for key, _l in GOVERNANCE_INDICATORS},
                                        notes={key: cd[f"note_{key}"] for key, _l in GOVERNANCE_INDICATORS})
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Indikator tata kelola disimpan; skor kesehatan dihitung ulang."))
                return redirect(reverse("supervision:governance", kwargs={"slug": k.slug}) + f"?tahun={cd['year']}")
    rows = [(key, label, form[f"score_{key}"], form[f"note_{key}"]) for key, label in GOVERNANCE_INDICATORS]
    return render(request, "supervision/governance.html", {"form": form, "rows": rows, "can_edit": can_edit,
                                                           "year": year, "filters": f})


@tenant_view()
def rat(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    can_edit = supervises(request.user, k) or manages_village(request.user, k.region_id)
    form = RatForm(request.POST or None, initial={"fiscal_year": timezone.localdate().year - 1,
                                                   "accounts_approved": True})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.record_rat(k, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("RAT dicatat."))
                return redirect("supervision:koperasi", slug=k.slug)
    return render(request, "supervision/rat.html", {"form": form, "can_edit": can_edit,
                                                    "rats": AnnualMeetingReport.objects.filter(koperasi=k)})
