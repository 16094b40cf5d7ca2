"""Member portal pages (``/portal/…``: the signed-in member's own data) and the operator's pages
(``/k/<slug>/portal/…``: activation slips, PIN reset, announcements)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from kopdes.core import throttle
from kopdes.core.access import public_view, require_write, tenant_view
from kopdes.core.errors import DomainError
from kopdes.core.middleware import client_ip
from kopdes.core.models import PENGURUS_ROLES, Koperasi, Role
from kopdes.core.units import Unit
from kopdes.members.models import Member
from kopdes.members.queries import search_members

from . import services, sources
from .access import SESSION_KEY, member_view
from .forms import ActivationForm, AnnouncementForm, ChangePinForm, LoginForm
from .models import ActivationCode, Announcement, visible_announcements

BACKEND = "kopdes.core.auth.UsernameOrPhoneBackend"
ZERO = Decimal("0")


def _err(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _next_url(request, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        return nxt
    return default


# --- public: login, activation, PWA --------------------------------------------------------------------------------

@public_view
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and services.members_of(request.user).exists():
        return redirect("portal:home")
    form = LoginForm(request.POST or None, initial={"k": request.GET.get("k", "")})
    if request.method == "POST" and form.is_valid():
        slug = form.cleaned_data.get("k") or ""
        koperasi = Koperasi.objects.filter(slug=slug).first() if slug else None
        try:
            user = services.login_member(form.cleaned_data["identifier"], form.cleaned_data["pin"], koperasi,
                                         ip=client_ip(request))
        except DomainError as exc:
            _err(form, exc)
        else:
            login(request, user, backend=BACKEND)
            return redirect(_next_url(request, reverse("portal:home")))
    return render(request, "portal/login.html", {"form": form, "next": request.GET.get("next", "")})


@public_view
def activate_view(request: HttpRequest) -> HttpResponse:
    form = ActivationForm(request.POST or None, initial={"code": request.GET.get("kode", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.activate(d["code"], d["identifier"], d["pin"], d["pin2"])
        except DomainError as exc:
            _err(form, exc)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("PIN tersimpan. Selamat datang di portal anggota."))
            return redirect("portal:home")
    return render(request, "portal/activate.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:login")


@public_view
@require_GET
@cache_control(max_age=86400, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    import json

    from django.templatetags.static import static

    data = {
        "name": "Portal Anggota Koperasi Desa Merah Putih",
        "short_name": "Koperasiku",
        "lang": "id",
        "start_url": reverse("portal:home"),
        "scope": "/portal/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b91c1c",
        "icons": [
            {"src": static("portal/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("portal/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return HttpResponse(json.dumps(data), content_type="application/manifest+json")


SERVICE_WORKER = """// Kopdes member portal: keep the app shell for slow connections; member data always from the network.
const CACHE = "kopdes-portal-v1";
const SHELL = [%(shell)s];
self.addEventListener("install", e => e.waitUntil(caches.open(CACHE).then(c => c.addAll(SHELL)).then(() => self.skipWaiting())));
self.addEventListener("activate", e => e.waitUntil(caches.keys().then(ks => Promise.all(ks.filter(k => k !== CACHE).map(k => caches.delete(k)))).then(() => self.clients.claim())));
self.addEventListener("fetch", e => {
  const r = e.request;
  if (r.method !== "GET") return;
  const url = new URL(r.url);
  if (url.pathname.startsWith("/static/")) {
    e.respondWith(caches.match(r).then(hit => hit || fetch(r)));
  } else if (r.mode === "navigate") {
    e.respondWith(fetch(r).catch(() => caches.match("%(offline)s")));
  }
});
"""


@public_view
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    from django.templatetags.static import static

    shell = [static("vendor/bootstrap/bootstrap.min.css"), static("portal/portal.css"), reverse("portal:offline")]
    body = SERVICE_WORKER % {"shell": ", ".join(f'"{s}"' for s in shell), "offline": reverse("portal:offline")}
    resp = HttpResponse(body, content_type="application/javascript")
    resp["Service-Worker-Allowed"] = "/portal/"
    resp["Cache-Control"] = "no-cache"
    return resp


@public_view
@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/offline.html")


# --- member pages ----------------------------------------------------------------------------------------------------

def _ctx(request, **kw) -> dict:
    return {"member": request.member, "kop": request.portal_koperasi, "memberships": request.memberships, **kw}


@member_view
def home(request: HttpRequest) -> HttpResponse:
    m = request.member
    loans = sources.loans(m)
    active_loans = [ln for ln in (loans or []) if ln["status"] == "aktif"]
    next_due = min((ln["next_due"] for ln in active_loans if ln.get("next_due")), key=lambda d: d["due_date"],
                   default=None)
    return render(request, "portal/home.html", _ctx(
        request, savings=sources.savings(m), loans=loans, active_loans=active_loans, next_due=next_due,
        outstanding=sum((ln["outstanding"] for ln in active_loans), ZERO),
        announcements=visible_announcements(m.koperasi)[:3], shu=(sources.shu(m) or [])[:1],
    ))


@member_view
@require_POST
def choose(request: HttpRequest) -> HttpResponse:
    pk = request.POST.get("member", "")
    if not pk.isdigit() or int(pk) not in {m.pk for m in request.memberships}:
        raise Http404
    request.session[SESSION_KEY] = int(pk)
    return redirect("portal:home")


KINDS = [("pokok", _lazy("Pokok")), ("wajib", _lazy("Wajib")), ("sukarela", _lazy("Sukarela"))]


@member_view
def savings(request: HttpRequest) -> HttpResponse:
    m = request.member
    kind = request.GET.get("jenis", "")
    kind = kind if kind in dict(KINDS) else ""
    qs = sources.savings_history(m, kind or None)
    page = Paginator(qs, 25).get_page(request.GET.get("page")) if qs is not None else None
    return render(request, "portal/savings.html", _ctx(
        request, savings=sources.savings(m), page=page, kind=kind, kinds=KINDS, year=timezone.localdate().year))


@member_view
def statement_pdf(request: HttpRequest) -> HttpResponse:
    from .pdf import savings_statement

    m = request.member
    today = timezone.localdate()
    try:
        year = int(request.GET.get("tahun", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= today.year:
        raise Http404
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    qs = sources.savings_history(m, None, start, end)
    if qs is None:
        raise Http404
    opening = sources.savings_history(m, None, None, start - dt.timedelta(days=1))
    pdf = savings_statement(m, list(qs.order_by("date", "id")), opening, start, end)
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="simpanan-{m.number}-{year}.pdf"'
    return resp


@member_view
def dues(request: HttpRequest) -> HttpResponse:
    m = request.member
    return render(request, "portal/dues.html", _ctx(request, savings=sources.savings(m), dues=sources.dues(m)))


@member_view
def loans(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/loans.html", _ctx(request, loans=sources.loans(request.member)))


@member_view
def loan_detail(request: HttpRequest, loan_id: int) -> HttpResponse:
    detail = sources.loan_detail(request.member, loan_id)
    if detail is None:
        raise Http404("Pinjaman tidak ditemukan")
    return render(request, "portal/loan_detail.html", _ctx(request, **detail))


@member_view
def purchases(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/purchases.html", _ctx(request, purchases=sources.purchases(request.member)))


@member_view
def shu(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/shu.html", _ctx(request, rows=sources.shu(request.member)))


@member_view
def shu_slip(request: HttpRequest, year: int) -> HttpResponse:
    """The member's own SHU slip for one year (PDF); 404 for a year without a share of this member."""
    from .pdf import shu_slip as build_slip

    m = request.member
    row = next((r for r in (sources.shu(m) or []) if r["year"] == year), None)
    if row is None:
        raise Http404("SHU tidak ditemukan")
    resp = HttpResponse(build_slip(m, row), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="slip-shu-{year}-{m.number}.pdf"'
    return resp


@member_view
def fertilizer(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/fertilizer.html", _ctx(request, rows=sources.fertilizer(request.member)))


@member_view
def storage(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/storage.html", _ctx(request, rows=sources.storage(request.member)))


@member_view
def announcements(request: HttpRequest) -> HttpResponse:
    qs = visible_announcements(request.member.koperasi)
    return render(request, "portal/announcements.html", _ctx(
        request, page=Paginator(qs, 20).get_page(request.GET.get("page"))))


@member_view
def announcement(request: HttpRequest, pk: int) -> HttpResponse:
    ann = get_object_or_404(visible_announcements(request.member.koperasi), pk=pk)
    return render(request, "portal/announcement.html", _ctx(request, ann=ann))


@member_view
def account(request: HttpRequest) -> HttpResponse:
    form = ChangePinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.change_pin(request.user, request.member, d["old"], d["pin"], d["pin2"], ip=client_ip(request))
        except DomainError as exc:
            _err(form, exc)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, _("PIN diganti."))
            return redirect("portal:account")
    return render(request, "portal/account.html", _ctx(request, form=form))


# --- operator pages (tenant) --------------------------------------------------------------------------------------------

COUNTER_UNITS = (Unit.KANTOR, Unit.SIMPAN_PINJAM)


def _can_issue(access) -> bool:
    return access.is_management or any(access.can_write(u) for u in COUNTER_UNITS)


@tenant_view()
def admin(request: HttpRequest) -> HttpResponse:
    """Members and their portal login: activation slips, PIN reset, unlock."""
    k = request.koperasi
    q = request.GET.get("q", "").strip()
    qs = search_members(k, q).filter(status__in=Member.CURRENT_STATUSES).select_related("user").order_by("seq")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    users = [m.user_id for m in page if m.user_id]
    locked = throttle.locked_users(users)
    open_codes = set(ActivationCode.objects.filter(
        koperasi=k, member_id__in=[m.pk for m in page], used_at__isnull=True, voided_at__isnull=True,
        expires_at__gt=timezone.now()).values_list("member_id", flat=True))
    rows = [{"m": m, "locked": m.user_id in locked, "open_code": m.pk in open_codes,
             "active": bool(m.user_id and m.user.has_usable_password())} for m in page]
    return render(request, "portal/admin.html", {"page": page, "rows": rows, "q": q,
                                                  "can_issue": _can_issue(request.access)})


@tenant_view()
def issue(request: HttpRequest, member_id: int) -> HttpResponse:
    """POST: new activation code (or PIN reset) for a member → the printable slip, shown once."""
    k = request.koperasi
    member = get_object_or_404(Member, pk=member_id, koperasi=k)
    if request.method != "POST":
        return redirect(f"{reverse('portal:admin', kwargs={'slug': k.slug})}?q={member.number}")
    if not _can_issue(request.access):
        require_write(request, Unit.KANTOR)
    action = request.POST.get("action", "aktivasi")
    try:
        if action == "reset":
            raw = services.reset_pin(member, by=request.user)
        elif action == "unlock":
            if member.user_id:
                services.unlock(member.user)
            messages.success(request, _("Login %(name)s dibuka kembali.") % {"name": member.name})
            return redirect(f"{reverse('portal:admin', kwargs={'slug': k.slug})}?q={member.number}")
        else:
            _code, raw = services.issue_code(member, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('portal:admin', kwargs={'slug': k.slug})}?q={member.number}")
    login_url = request.build_absolute_uri(reverse("portal:activate")) + f"?kode={raw}"
    import segno

    qr = segno.make(login_url, error="m").svg_inline(scale=4)
    resp = render(request, "portal/slip.html", {
        "member": member, "code": raw, "activate_url": request.build_absolute_uri(reverse("portal:activate")),
        "login_url": request.build_absolute_uri(reverse("portal:login")) + f"?k={k.slug}", "qr": qr,
        "expires": timezone.localdate() + dt.timedelta(days=services.CODE_DAYS), "reset": action == "reset",
    })
    resp["Cache-Control"] = "no-store"
    return resp


@tenant_view(write=True, roles=PENGURUS_ROLES | {Role.MANAJER})
def announcements_admin(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_announcement(k, form.cleaned_data, by=request.user)
        except DomainError as exc:
            _err(form, exc)
        else:
            messages.success(request, _("Pengumuman diterbitkan."))
            return redirect("portal:announcements", slug=k.slug)
    qs = Announcement.objects.filter(koperasi=k)
    return render(request, "portal/announcements_admin.html", {
        "form": form, "page": Paginator(qs, 30).get_page(request.GET.get("page")),
        "can_edit": request.access.has_role(*PENGURUS_ROLES, Role.MANAJER),
    })


@tenant_view(write=True, roles=PENGURUS_ROLES | {Role.MANAJER})
def announcement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    k = request.koperasi
    ann = get_object_or_404(Announcement, pk=pk, koperasi=k)
    if request.method == "POST" and "delete" in request.POST:
        services.delete_announcement(ann)
        messages.success(request, _("Pengumuman dihapus."))
        return redirect("portal:announcements", slug=k.slug)
    form = AnnouncementForm(request.POST or None, instance=ann)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_announcement(k, form.cleaned_data, instance=ann, by=request.user)
        except DomainError as exc:
            _err(form, exc)
        else:
            messages.success(request, _("Pengumuman disimpan."))
            return redirect("portal:announcements", slug=k.slug)
    return render(request, "portal/announcement_edit.html", {"form": form, "ann": ann})
