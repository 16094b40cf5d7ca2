"""Pages of the foundation: login landing, cooperative dashboard and profile, AD/ART, users, audit, regions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch
from django.views.decorators.http import require_GET

from . import services
from .access import accessible_koperasi, public_view, require_write, supervised_region_codes, tenant_view
from .errors import DomainError
from .forms import BylawsForm, KoperasiProfileForm, NewKoperasiForm, PasswordChangeForm, UserRoleForm
from .models import PENGURUS_ROLES, AuditLog, Bylaws, Koperasi, Region, Role, RoleAssignment
from .units import Unit


def _apply_domain_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person where their work is."""
    user = request.user
    if supervised_region_codes(user) is not None and not user.is_superuser:
        try:
            return redirect("supervision:home")
        except NoReverseMatch:
            return redirect("core:koperasi_list")
    coop_roles = RoleAssignment.objects.active().filter(user=user, koperasi__isnull=False)
    staff = coop_roles.exclude(role=Role.ANGGOTA)
    coops = list(Koperasi.objects.filter(pk__in=staff.values("koperasi_id")))
    if len(coops) == 1:
        return redirect("core:dashboard", slug=coops[0].slug)
    if coops or user.is_superuser:
        return redirect("core:koperasi_list")
    if coop_roles.filter(role=Role.ANGGOTA).exists():
        try:
            return redirect("portal:home")
        except NoReverseMatch:
            pass
    return render(request, "core/no_role.html", status=403)


@login_required
def koperasi_list(request: HttpRequest) -> HttpResponse:
    qs = accessible_koperasi(request.user).select_related("region")
    if not qs.exists() and not request.user.is_superuser:
        return render(request, "core/no_role.html", status=403)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(region__name__icontains=q) | Q(region__code__startswith=q))
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("region_id"), 50).get_page(request.GET.get("page"))
    can_create = request.user.is_superuser or bool(supervised_region_codes(request.user) is not None)
    return render(request, "core/koperasi_list.html", {
        "page": page, "q": q, "status": status, "statuses": Koperasi.Status.choices, "can_create": can_create,
    })


@login_required
def koperasi_new(request: HttpRequest) -> HttpResponse:
    """Register a KDMP: by the administrator, or by a Dinas official for a village of their region."""
    codes = supervised_region_codes(request.user)
    if codes is None and not request.user.is_superuser:
        raise PermissionDenied
    form = NewKoperasiForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["region"]
        if codes and not any(code.startswith(f"{c}.") for c in codes):
            form.add_error("region", "Desa ini di luar wilayah Anda. / This village is outside your region.")
        else:
            try:
                k = services.create_koperasi(
                    code, name=form.cleaned_data["name"] or None,
                    formation_model=form.cleaned_data["formation_model"], by=request.user,
                )
            except DomainError as exc:
                _apply_domain_error(form, exc)
            else:
                messages.success(request, f"{k.name} terdaftar.")
                return redirect("core:dashboard", slug=k.slug)
    return render(request, "core/koperasi_new.html", {"form": form, "provinces": Region.objects.filter(level=1)})


@tenant_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    board = (
        RoleAssignment.objects.active().filter(koperasi=k)
        .exclude(role__in=[Role.ANGGOTA]).select_related("user").order_by("role")
    )
    from .dashboard import collect_widgets

    return render(request, "core/dashboard.html", {
        "board": board, "bylaws": k.current_bylaws, "region_path": k.region.path_label(),
        "widgets": collect_widgets(request), "units": Unit.choices,
    })


@tenant_view(write=True)
def profile(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    editing = request.GET.get("ubah") == "1" or request.method == "POST"
    form = None
    if editing:
        require_write(request, roles=PENGURUS_ROLES | {Role.MANAJER})
        form = KoperasiProfileForm(request.POST or None, instance=k)
        if request.method == "POST" and form.is_valid():
            data = {f: form.cleaned_data[f] for f in form.changed_data}
            try:
                services.update_profile(Koperasi.objects.get(pk=k.pk), data, by=request.user)
            except DomainError as exc:
                _apply_domain_error(form, exc)
            else:
                messages.success(request, "Profil koperasi disimpan.")
                return redirect("core:profile", slug=k.slug)
    return render(request, "core/profile.html", {"form": form, "region_path": k.region.path_label(),
                                                 "backup": _backup_card(request)})


#: who may see and download the installation's backup, besides the administrator: in the laptop case (the only
#: cooperative of the installation) its ketua and bendahara, who keep the copy on a USB stick
BACKUP_ROLES = {Role.KETUA, Role.BENDAHARA}


def _may_download_backup(request: HttpRequest) -> bool:
    """A backup archive holds the WHOLE installation (every cooperative's books, members, users): so only the
    administrator, or the ketua/bendahara of an installation holding exactly one cooperative (theirs)."""
    access = request.access
    if access.superuser:
        return True
    if not access.roles & BACKUP_ROLES:
        return False
    return list(Koperasi.objects.values_list("pk", flat=True)[:2]) == [request.koperasi.pk]


def _backup_card(request: HttpRequest) -> dict | None:
    """"Cadangan terakhir": the newest archive's time, size and age (None: this person may not see it)."""
    if not _may_download_backup(request):
        return None
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from .backup import last_backup

    path = last_backup()
    if path is None:
        return {"exists": False, "stale": True}
    st = path.stat()
    when = dt.datetime.fromtimestamp(st.st_mtime, tz=dt.UTC)
    age = timezone.now() - when
    return {"exists": True, "at": when, "size": st.st_size, "name": path.name,
            "stale": age.total_seconds() > settings.KOPDES_BACKUP_MAX_AGE,
            "max_age_days": f"{settings.KOPDES_BACKUP_MAX_AGE / 86400:g}"}


@tenant_view()
def backup_download(request: HttpRequest) -> HttpResponse:
    """Stream the newest backup archive (see ``_may_download_backup`` for who may)."""
    from django.http import FileResponse

    from .audit import record
    from .backup import last_backup

    if not _may_download_backup(request):
        raise PermissionDenied
    path = last_backup()
    if path is None:
        raise Http404("Belum ada cadangan / no backup yet")
    record("backup_download", koperasi_id=request.koperasi.pk,
           summary=f"unduh cadangan {path.name} ({path.stat().st_size} B)")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name,
                        content_type="application/gzip")


@tenant_view(write=True, roles=PENGURUS_ROLES)
def bylaws(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    current = k.current_bylaws
    initial = {}
    if current:
        initial = {f: getattr(current, f) for f in BylawsForm.Meta.fields if f != "effective_date"}
    form = BylawsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_bylaws(k, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, "Versi AD/ART baru disimpan.")
            return redirect("core:bylaws", slug=k.slug)
    history = Bylaws.objects.filter(koperasi=k).select_related("created_by")
    return render(request, "core/bylaws.html", {"form": form, "current": current, "history": history,
                                                "can_edit": request.access.is_pengurus})


@tenant_view(write=True, roles=PENGURUS_ROLES)
def users(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    form = UserRoleForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "end":
        ra = get_object_or_404(RoleAssignment, pk=request.POST.get("assignment"), koperasi=k)
        services.end_role(ra)
        messages.success(request, f"Peran {ra} diakhiri.")
        return redirect("core:users", slug=k.slug)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.create_user_with_role(
                role=cd["role"], koperasi=k, unit=cd["unit"], title=cd["title"], start_date=cd["start_date"],
                end_date=cd["end_date"], username=cd["username"], password=cd["password"],
                full_name=cd["full_name"], phone=cd["phone"] or None,
            )
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, f"Pengguna {cd['username']} ditambahkan.")
            return redirect("core:users", slug=k.slug)
    show = request.GET.get("tampil", "aktif")
    assignments = RoleAssignment.objects.filter(koperasi=k).select_related("user").order_by("role", "start_date")
    if show == "aktif":
        assignments = assignments.active()
    return render(request, "core/users.html", {"form": form, "assignments": assignments, "show": show,
                                               "can_edit": request.access.is_pengurus})


@tenant_view()
def audit_log(request: HttpRequest) -> HttpResponse:
    k = request.koperasi
    qs = AuditLog.objects.filter(koperasi_id_ref=k.pk).select_related("actor")
    action = request.GET.get("aksi", "")
    if action:
        qs = qs.filter(action=action)
    who = request.GET.get("oleh", "").strip()
    if who:
        qs = qs.filter(actor_label__icontains=who)
    model = request.GET.get("objek", "").strip()
    if model:
        qs = qs.filter(model__icontains=model)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page, "aksi": action, "oleh": who, "objek": model})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    for f in form.fields.values():
        f.widget.attrs["class"] = "form-control"
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "Kata sandi diganti.")
        return redirect("core:account")
    roles = RoleAssignment.objects.filter(user=request.user).select_related("koperasi", "region")
    return render(request, "core/account.html", {"form": form, "roles": roles})


# --- regions -----------------------------------------------------------------------------------------------


@public_view
@require_GET
def region_options(request: HttpRequest) -> HttpResponse:
    """``<option>`` list of a region's children, for cascading pickers (htmx)."""
    parent = request.GET.get("parent", "").strip()
    if not parent:
        regions = Region.objects.filter(level=1)
    else:
        regions = Region.objects.filter(parent_id=parent)
    return render(request, "core/_region_options.html", {"regions": regions.only("code", "name")})


@public_view
@require_GET
def region_search(request: HttpRequest) -> JsonResponse:
    """Search regions by name or code: ``?q=surya&level=4`` → JSON with full path labels."""
    q = request.GET.get("q", "").strip()
    level = request.GET.get("level")
    if len(q) < 2:
        return JsonResponse({"results": []})
    qs = Region.objects.all()
    if level and level.isdigit():
        qs = qs.filter(level=int(level))
    qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q)).order_by("level", "name")[:30]
    regions = list(qs)
    parent_codes = {".".join(r.code.split(".")[:i]) for r in regions for i in range(1, r.level)}
    names = dict(Region.objects.filter(code__in=parent_codes).values_list("code", "name"))
    results = []
    for r in regions:
        parts = r.code.split(".")
        path = [names.get(".".join(parts[:i]), "") for i in range(1, r.level)]
        results.append({"code": r.code, "name": r.name, "level": r.level, "kind": str(r.kind_label),
                        "path": " › ".join([*path, r.name])})
    return JsonResponse({"results": results})


@public_view
@require_GET
def region_browser(request: HttpRequest, code: str = "") -> HttpResponse:
    region = None
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise Http404
        children = region.children.all()
    else:
        children = Region.objects.filter(level=1)
    return render(request, "core/regions.html", {
        "region": region, "ancestors": region.ancestors() if region else [], "children": children,
    })



