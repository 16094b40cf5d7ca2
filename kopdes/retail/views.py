"""Gerai pages (thin): POS, catalogue, stock, purchasing, RDKK, HET, reports. Services do the work."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from kopdes.core import filters
from kopdes.core.access import require_write, tenant_view
from kopdes.core.errors import DomainError
from kopdes.core.money import format_rupiah
from kopdes.core.units import Unit

from . import bridge, exports, offline, pos, queries, services, stock
from .catalog import find_by_code, het_history, het_in_force, hets_in_force, save_product, set_het
from .models import (
    Category,
    FertilizerAllocation,
    FertilizerType,
    GoodsReceipt,
    Location,
    PriceCeiling,
    Product,
    PurchaseOrder,
    PurchaseReturn,
    Regulated,
    Sale,
    Shift,
    StockCount,
    StockQuant,
    Supplier,
    SupplierInvoice,
    SyncException,
)

U = Unit.SEMBAKO


def _d(value, default=None):
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _period(request):
    today = timezone.localdate()
    return filters.period(request, today.replace(day=1), today)


def _err(request, exc: DomainError):
    messages.error(request, exc.message)


def dashboard_widget(request):
    acc = getattr(request, "access", None)
    if acc is None or not acc.can_read(U):
        return None
    k = request.koperasi
    if not Product.objects.filter(koperasi=k, unit=U).exists():
        return None
    today = timezone.localdate()
    return {"title": _("Gerai sembako hari ini"), "template": "retail/_widget.html", "order": 30,
            "context": {"today": queries.today_summary(k, today, U), "low": stock.low_stock(k, unit=U)[:5],
                        "slug": k.slug}}


# --- home & POS --------------------------------------------------------------------------------------------

@tenant_view(unit=U)
def home(request):
    k = request.koperasi
    today = timezone.localdate()
    return render(request, "retail/home.html", {
        "today": queries.today_summary(k, today, U),
        "month": queries.margin_summary(k, today.replace(day=1), today, U),
        "low": stock.low_stock(k, unit=U)[:20],
        "near_expiry": stock.lots_near_expiry(k, within_days=60, unit=U)[:20],
        "shift": pos.open_shift_for(k, request.user, U),
        "recent": Sale.objects.filter(koperasi=k, unit=U).select_related("cashier")[:10],
        "stock_value": sum(stock.valuation(k).values(), Decimal(0)),
    })


def _product_json(p: Product, uom=None) -> dict:
    return {"id": p.pk, "code": p.code, "barcode": p.barcode, "name": p.name, "uom": uom.name if uom else p.base_uom,
            "uom_id": uom.pk if uom else None, "factor": str(uom.factor) if uom else "1",
            "member_price": str(pos.price_for(p, uom, True)), "public_price": str(pos.price_for(p, uom, False)),
            "stock": str(p.stock_qty), "regulated": p.regulated}


@tenant_view(write=True, unit=U)
def pos_screen(request):
    k = request.koperasi
    shift = pos.open_shift_for(k, request.user, U)
    if request.method == "POST":
        require_write(request, U)
        try:
            if request.POST.get("action") == "open":
                loc = get_object_or_404(Location, pk=request.POST.get("location"), koperasi=k)
                pos.open_shift(k, cashier=request.user, location=loc, opening_float=request.POST.get("float") or "0")
                messages.success(request, _("Shift dibuka."))
            elif request.POST.get("action") == "close" and shift:
                closed = pos.close_shift(k, shift, counted_cash=request.POST.get("counted") or "", by=request.user,
                                         note=request.POST.get("note", ""))
                messages.success(request, _("Shift ditutup. Selisih kas: %(d)s") % {"d": format_rupiah(closed.difference)})
                return redirect("retail:shift", k.slug, closed.pk)
        except DomainError as exc:
            _err(request, exc)
        return redirect("retail:pos", k.slug)
    locations = Location.objects.filter(koperasi=k, unit=U, active=True)
    if not locations.exists():
        services.default_location(k, U)
    flashes = len(messages.get_messages(request))
    resp = render(request, "retail/pos.html", {
        "shift": shift, "locations": Location.objects.filter(koperasi=k, unit=U, active=True,
                                                             kind=Location.Kind.GERAI),
        "expected": pos.expected_cash(shift) if shift else None, "methods": Sale.Method.choices,
        "till": _till_config(request, shift) if shift else None,
    })
    # for the service worker: keep this page for offline use ("1": a shift is open and no one-off message is on
    # it), forget the kept one ("0": no shift open any more), or leave the kept one as it is (no header)
    if shift is None:
        resp["X-Till-Shell"] = "0"
    elif not flashes:
        resp["X-Till-Shell"] = "1"
    return resp


def _till_config(request, shift) -> dict:
    """The till script's configuration (``pos-config``): URLs, the shift, texts (Indonesian / English)."""
    k = request.koperasi
    slug = k.slug
    return {
        "urls": {"lookup": reverse("retail:api_lookup", args=[slug]), "member": reverse("retail:api_member", args=[slug]),
                 "members": reverse("retail:api_member_search", args=[slug]),
                 "pay": reverse("retail:api_checkout", args=[slug]), "catalogue": reverse("retail:api_catalogue", args=[slug]),
                 "sync": reverse("retail:api_sync", args=[slug]), "sw": reverse("retail:till_sw", args=[slug]),
                 "scope": reverse("retail:pos", args=[slug]),
                 "exceptions": reverse("retail:sync_exceptions", args=[slug])},
        "shift": shift.pk, "slug": slug, "user": request.user.pk, "koperasi": k.name,
        "t": {
            "empty": _("Keranjang masih kosong."), "notfound": _("Barang tidak ditemukan: "),
            "failed": _("Gagal menyimpan."), "camera": _("Kamera tidak dapat dibuka."),
            "walkin": _("Pembeli umum (harga umum)."), "active": _("anggota aktif · harga anggota"),
            "inactive": _("belum aktif"), "bon": _("Bon"), "of_limit": _("dari batas"), "fert_left": _("Sisa pupuk"),
            "qty_of": _("Jumlah"), "stock": _("stok"), "no": _("No."), "remove": _("Hapus"),
            "member_unknown": _("Kartu/nomor anggota tidak dikenal di koperasi ini."),
            "online": _("Terhubung"), "offline": _("Offline — penjualan disimpan di perangkat ini"),
            "queued": _("menunggu sinkron"), "last_sync": _("sinkron terakhir"), "never": _("belum pernah"),
            "syncing": _("Menyinkronkan…"), "synced": _("tersinkron"), "pending": _("tertunda"),
            "held": _("ditahan: menunggu keputusan manajer"), "rejected": _("ditolak: entri rusak"),
            "provisional": _("Struk sementara (offline)"), "final_after_sync": _("Nomor final diberikan setelah sinkron."),
            "offline_no_withdrawal": _("Potong simpanan sukarela tidak bisa saat offline: uang keluar dari simpanan "
                                       "harus diperiksa server. Pilih tunai, QRIS/transfer atau bon."),
            "underpaid": _("Uang diterima kurang dari total."), "ref_required": _("Isi nomor referensi QRIS/transfer."),
            "member_required": _("Bon hanya untuk anggota aktif. Pilih anggota."),
            "credit_limit": _("Melebihi batas bon (menurut data terakhir di perangkat)."),
            "stock_short": _("Stok di perangkat tidak cukup untuk "),
            "het_over": _("Harga melebihi HET: "), "catalogue_missing": _("Data barang belum tersimpan di perangkat."),
            "total": _("Total"), "tendered": _("Uang diterima"), "change": _("Kembalian"),
            "print": _("Cetak"), "new_sale": _("Transaksi baru"), "exact": _("Uang pas"),
            "sync_before_close": _("Sinkronkan dulu %(n)s transaksi offline sebelum menutup shift."),
            "dropped": _("Koneksi terputus saat membayar. Transaksi disimpan di perangkat dan dikirim saat sinkron: "
                         "tidak akan tercatat dua kali."),
        },
    }


@tenant_view(unit=U)
def api_lookup(request):
    """Barcode/internal code (exact) or name search → products as JSON."""
    k = request.koperasi
    code = request.GET.get("code", "").strip()
    if code:
        try:
            found = find_by_code(k, code, unit=U)
        except DomainError as exc:
            return JsonResponse({"error": exc.message, "code": exc.code}, status=400)
        if not found:
            return JsonResponse({"error": _("Barang dengan kode %(code)s tidak ditemukan.") % {"code": code}, "code": "not_found"},
                                status=404)
        return JsonResponse({"results": [_product_json(*found)]})
    q = request.GET.get("q", "").strip()
    if len(q) < 2:
        return JsonResponse({"results": []})
    qs = Product.objects.filter(koperasi=k, unit=U, active=True).filter(
        Q(name__icontains=q) | Q(code__icontains=q) | Q(barcode__startswith=q))[:15]
    return JsonResponse({"results": [_product_json(p) for p in qs]})


@tenant_view(unit=U)
def api_member(request):
    k = request.koperasi
    info = None
    if request.GET.get("id", "").isdigit():
        try:
            info = bridge.get_member(k, int(request.GET["id"]))
        except DomainError:
            info = None
    else:
        info = bridge.find_member(k, request.GET.get("q", ""))
    if info is None:
        return JsonResponse({"error": _("Kartu/nomor anggota tidak dikenal di koperasi ini.")}, status=404)
    owed = bridge.member_balance(k, "1141", info.id)
    fert = queries.member_fertilizer(k, info.id, on=timezone.localdate())
    return JsonResponse({"id": info.id, "number": info.number, "name": info.name, "active": info.active,
                         "bon": str(owed), "credit_limit": str(pos.settings_for(k).credit_limit),
                         "fertilizer": [{"type": f["type_label"], "remaining_kg": str(f["remaining_kg"])} for f in fert]})


@tenant_view(write=True, unit=U)
@require_POST
def api_checkout(request):
    k = request.koperasi
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": _("Data tidak valid.")}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"error": _("Data tidak valid.")}, status=400)
    shift = pos.open_shift_for(k, request.user, U)
    if shift is None:
        sid = data.get("shift_id")
        shift = Shift.objects.filter(koperasi=k, pk=sid, cashier=request.user).first() if sid else None
        if shift is None:
            return JsonResponse({"error": _("Belum ada shift terbuka. Buka shift dulu."), "code": "shift_closed"},
                                status=400)
    photo = None
    if data.get("photo"):
        photo = _photo_from_data_url(str(data["photo"]))
        if photo is None:
            return JsonResponse({"error": _("Foto serah terima tidak valid (JPEG/PNG, maks. 3 MB)."), "field": "photo"},
                                status=400)
    try:
        result = offline.run_checkout(k, request.user, data, shift=shift, photo=photo, unit=U)
    except DomainError as exc:
        return JsonResponse({"error": exc.message, "code": exc.code, "field": exc.field}, status=exc.status)
    result["receipt_url"] = reverse("retail:receipt", args=[k.slug, result["sale_id"]])
    return JsonResponse(result)


# --- offline till: service worker, catalogue, member type-ahead, sync, sync exceptions -----------------------

TILL_SW = """// Kopdes till (gerai): the till page and its static files from the cache when the network is down.
// The page: network first (a fresh copy is kept when the server marks it X-Till-Shell: 1 — a shift open, no
// one-off message on it — and forgotten on X-Till-Shell: 0, no shift); static files: cache first.
// POSTs and JSON always go to the network: the page queues sales in IndexedDB itself.
const CACHE = %(cache)s;
const SHELL = %(shell)s;
const PAGE = %(page)s;
function keep(c, resp) {
  const mark = resp.headers.get("X-Till-Shell");
  if (resp.ok && !resp.redirected && mark === "1") return c.put(PAGE, resp);
  if (mark === "0") return c.delete(PAGE);
  return Promise.resolve();
}
self.addEventListener("install", e => e.waitUntil(caches.open(CACHE).then(c => c.addAll(SHELL)
  .then(() => fetch(PAGE, {credentials: "same-origin"}).then(r => keep(c, r)).catch(() => {})))
  .then(() => self.skipWaiting())));
self.addEventListener("activate", e => e.waitUntil(caches.keys().then(ks => Promise.all(
  ks.filter(k => k.startsWith("kopdes-till-") && k !== CACHE).map(k => caches.delete(k)))).then(() => self.clients.claim())));
self.addEventListener("fetch", e => {
  const r = e.request;
  if (r.method !== "GET") return;
  const url = new URL(r.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(%(static)s)) {
    e.respondWith(caches.open(CACHE).then(c => c.match(r).then(hit => hit || fetch(r).then(resp => {
      if (resp.ok) c.put(r, resp.clone());
      return resp;
    }))));
  } else if (url.pathname === PAGE) {  // the navigation, or the till's own refresh of its kept copy
    e.respondWith(fetch(r).then(resp => {
      const copy = resp.clone();
      e.waitUntil(caches.open(CACHE).then(c => keep(c, copy)));
      return resp;
    }).catch(() => caches.open(CACHE).then(c => c.match(PAGE)).then(hit => hit || Response.error())));
  }
});
"""

TILL_STATIC = ["vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap-icons/bootstrap-icons.min.css",
               "kopdes/kopdes.css", "vendor/bootstrap/bootstrap.bundle.min.js", "vendor/htmx/htmx.min.js",
               "kopdes/kopdes.js", "retail/pos.js"]


@tenant_view(unit=U)
def till_service_worker(request):
    """The till's service worker, served under ``kasir/`` so that its scope is the till page."""
    import hashlib

    from django.conf import settings
    from django.templatetags.static import static

    page = reverse("retail:pos", args=[request.koperasi.slug])
    shell = [static(s) for s in TILL_STATIC]
    cache = "kopdes-till-" + hashlib.sha256("|".join([*shell, page]).encode()).hexdigest()[:12]
    body = TILL_SW % {"cache": json.dumps(cache), "shell": json.dumps(shell), "page": json.dumps(page),
                      "static": json.dumps("/" + settings.STATIC_URL.lstrip("/"))}
    resp = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    resp["Cache-Control"] = "no-cache"
    return resp


@tenant_view(unit=U)
def api_catalogue(request):
    """What the till keeps for a shift (IndexedDB): products, packs, prices, HET, stock; members, bon, limit."""
    resp = JsonResponse(offline.catalogue(request.koperasi, U))
    resp["Cache-Control"] = "no-store"
    return resp


@tenant_view(unit=U)
def api_member_search(request):
    """Type-ahead for the till: the member registry's own search (name words, number, NIK or phone prefix)."""
    from kopdes.members.queries import search_members

    q = request.GET.get("q", "").strip()
    if len(q) < 2:
        return JsonResponse({"results": []})
    qs = search_members(request.koperasi, q).only("pk", "number", "name", "phone", "status").order_by("name")[:10]
    return JsonResponse({"results": [{"id": m.pk, "number": m.number, "name": m.name, "phone": m.phone,
                                      "active": m.status == "aktif"} for m in qs]})


@tenant_view(write=True, unit=U)
@require_POST
def api_sync(request):
    """Queued offline sales: ``{"sales": [{"client_id", "device", "provisional", "at", "date", "total", "body"}]}``
    → ``{"results": [{"client_id", "status": "ok"|"held"|"rejected", …}]}``; each sale in its own transaction."""
    k = request.koperasi
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": _("Data tidak valid.")}, status=400)
    sales = data.get("sales") if isinstance(data, dict) else None
    if not isinstance(sales, list) or len(sales) > 100:
        return JsonResponse({"error": _("Data tidak valid.")}, status=400)
    results = []
    for entry in sales:
        r = offline.sync_sale(k, request.user, entry, U)
        if r["status"] == "ok":
            r["receipt_url"] = reverse("retail:receipt", args=[k.slug, r["sale_id"]])
        results.append(r)
    return JsonResponse({"results": results, "at": timezone.now().isoformat()})


def _held_line(ln: dict, names: dict) -> str:
    """One line of a held sale as text ("2 × Minyak goreng @ Rp20.000"); a corrupted line shows "?"."""
    pid = str(ln.get("product_id"))
    name = names.get(int(pid), "?") if pid.isdigit() else "?"
    price = offline.money(ln.get("price")) if ln.get("price") not in (None, "") else None
    return f"{str(ln.get('qty'))[:12]} × {name}" + (f" @ {format_rupiah(price)}" if price is not None else "")


@tenant_view(unit=U)
def sync_exceptions(request):
    """Offline sales the server refused at sync: the manager accepts (sale recorded now) or refuses (with a note)."""
    k = request.koperasi
    if request.method == "POST":
        require_write(request, U)
        if not request.access.is_management:
            raise PermissionDenied
        row = get_object_or_404(SyncException, pk=request.POST.get("id"), koperasi=k)
        try:
            if request.POST.get("decision") == "accept":
                offline.accept(k, row, by=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("Transaksi diterima dan dicatat."))
            else:
                offline.refuse(k, row, by=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("Transaksi ditolak; catatan disimpan."))
        except DomainError as exc:
            _err(request, exc)
        return redirect("retail:sync_exceptions", k.slug)
    status = request.GET.get("status", "open")
    qs = SyncException.objects.filter(koperasi=k, unit=U).select_related("cashier", "resolved_by", "sale")
    if status in SyncException.Status.values:
        qs = qs.filter(status=status)
    rows = list(qs[:200])
    ids = set()
    for r in rows:
        body = r.payload.get("body") if isinstance(r.payload, dict) else None
        lines = body.get("lines") if isinstance(body, dict) else None
        r.lines = [ln for ln in lines if isinstance(ln, dict)] if isinstance(lines, list) else []
        ids.update(str(ln.get("product_id")) for ln in r.lines)
    names = dict(Product.objects.filter(koperasi=k, pk__in=[i for i in ids if i.isdigit()]).values_list("pk", "name"))
    for r in rows:
        r.view_lines = [_held_line(ln, names) for ln in r.lines]
    return render(request, "retail/sync_exceptions.html", {
        "rows": rows, "status": status, "statuses": SyncException.Status.choices,
        "can_decide": request.access.is_management and request.access.can_write(U),
    })


def _photo_from_data_url(text: str):
    """``data:image/jpeg;base64,…`` from the phone camera → a ContentFile (None if not a small JPEG/PNG)."""
    import base64
    import binascii

    from django.core.files.base import ContentFile

    head, _sep, b64 = text.partition(",")
    ext = {"data:image/jpeg;base64": "jpg", "data:image/png;base64": "png"}.get(head)
    if not ext or len(b64) > 4_200_000:
        return None
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not (raw.startswith(b"\xff\xd8") or raw.startswith(b"\x89PNG")):
        return None
    return ContentFile(raw, name=f"serah-terima.{ext}")


@tenant_view(unit=U)
def receipt(request, pk: int):
    k = request.koperasi
    sale = get_object_or_404(Sale.objects.select_related("cashier"), pk=pk, koperasi=k)
    width = "58" if request.GET.get("w") == "58" else "80"
    return render(request, "retail/receipt.html", {
        "sale": sale, "lines": sale.lines.select_related("product"), "width": width,
        "settings": pos.settings_for(k), "redemptions": sale.redemptions.select_related("allocation"),
    })


@tenant_view(write=True, unit=U)
def sale_detail(request, pk: int):
    k = request.koperasi
    sale = get_object_or_404(Sale, pk=pk, koperasi=k)
    if request.method == "POST":
        lines = [{"line_id": ln.pk, "qty": request.POST.get(f"ret_{ln.pk}") or "0"} for ln in sale.lines.all()]
        try:
            pos.return_sale(k, sale, lines=lines, reason=request.POST.get("reason", ""),
                            shift=pos.open_shift_for(k, request.user, U), by=request.user)
            messages.success(request, _("Retur dicatat."))
        except DomainError as exc:
            _err(request, exc)
        return redirect("retail:sale", k.slug, sale.pk)
    return render(request, "retail/sale.html", {"sale": sale, "lines": sale.lines.select_related("product"),
                                                "returns": sale.returns.all()})


@tenant_view(unit=U)
def sales(request):
    k = request.koperasi
    start, end = _period(request)
    qs = Sale.objects.filter(koperasi=k, unit=U, date__gte=start, date__lte=end).select_related("cashier")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(member_name__icontains=q) | Q(member_number=q))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "retail/sales.html", {"page": page, "start": start, "end": end, "q": q})


@tenant_view(unit=U)
def shift_detail(request, pk: int):
    k = request.koperasi
    shift = get_object_or_404(Shift, pk=pk, koperasi=k)
    return render(request, "retail/shift.html", {"shift": shift, "sales": shift.sales.all()[:200],
                                                 "expected": pos.expected_cash(shift)})


# --- catalogue & stock -------------------------------------------------------------------------------------

@tenant_view(unit=U)
def products(request):
    k = request.koperasi
    qs = Product.objects.filter(koperasi=k, unit=U).select_related("category")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(barcode=q))
    if request.GET.get("low"):
        qs = stock.low_stock(k, unit=U)
    page = Paginator(qs.order_by("name"), 50).get_page(request.GET.get("page"))
    return render(request, "retail/products.html", {"page": page, "q": q})


PRODUCT_FIELDS = ["code", "barcode", "name", "base_uom", "member_price", "public_price", "regulated", "het_commodity",
                  "fertilizer_type", "inventory_account", "min_stock"]


@tenant_view(write=True, unit=U)
def product_edit(request, pk: int | None = None):
    k = request.koperasi
    p = get_object_or_404(Product, pk=pk, koperasi=k) if pk else Product(koperasi=k, unit=U)
    error = None
    if request.method == "POST":
        for f in PRODUCT_FIELDS:
            val = request.POST.get(f, "").strip()
            if f in ("member_price", "public_price", "min_stock"):
                try:
                    val = Decimal(val.replace(".", "").replace(",", ".") if "," in val else val or "0")
                except Exception:  # noqa: BLE001
                    val = Decimal("-1")
            setattr(p, f, val)
        cat = request.POST.get("category", "").strip()
        p.category = Category.objects.get_or_create(koperasi=k, name=cat)[0] if cat else None
        p.active = bool(request.POST.get("active", "1" if not pk else ""))
        try:
            save_product(p)
            messages.success(request, _("Barang %(name)s disimpan.") % {"name": p.name})
            return redirect("retail:product", k.slug, p.pk)
        except DomainError as exc:
            error = exc
    het = het_in_force(k, p.het_commodity) if p.het_commodity else None
    return render(request, "retail/product_form.html", {
        "p": p, "error": error, "het": het, "regulated": Regulated.choices, "ftypes": FertilizerType.choices,
        "commodities": PriceCeiling.objects.values_list("commodity", flat=True).distinct()})


@tenant_view(unit=U)
def product_detail(request, pk: int):
    k = request.koperasi
    p = get_object_or_404(Product, pk=pk, koperasi=k)
    start, end = _period(request)
    lokasi = filters.read(request, lokasi=filters.number(_("Lokasi"))).value("lokasi")
    loc = Location.objects.filter(koperasi=k, pk=lokasi).first() if lokasi else None
    card = stock.stock_card(k, p, location=loc, date_from=start, date_to=end)
    if request.GET.get("format") in ("xlsx", "pdf"):
        rows = [[r["move"].date, r["move"].get_kind_display(), r["move"].location.name,
                 r["move"].lot.lot_number if r["move"].lot else "", r["move"].qty, r["move"].value, r["balance_qty"],
                 r["balance_value"], r["move"].memo] for r in card["rows"]]
        return exports.export(request.GET["format"], _("Kartu stok %(name)s") % {"name": p.name}, f"{start} s.d. {end}",
                              [_("Tanggal"), _("Jenis"), _("Lokasi"), _("Batch"), _("Qty"), _("Nilai"), _("Saldo qty"),
                               _("Saldo nilai"), _("Ket.")], rows, f"kartu-stok-{p.code}")
    quants = p.quants.filter(qty__gt=0).select_related("location", "lot")
    return render(request, "retail/product.html", {
        "p": p, "card": card, "quants": quants, "start": start, "end": end, "loc": loc,
        "locations": Location.objects.filter(koperasi=k), "het": het_in_force(k, p.het_commodity)})


@tenant_view(write=True, unit=U)
def stock_ops(request):
    """Transfers between locations, stock opname and write-offs."""
    k = request.koperasi
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            p = get_object_or_404(Product, pk=request.POST.get("product"), koperasi=k)
            loc = get_object_or_404(Location, pk=request.POST.get("location"), koperasi=k)
            if action == "transfer":
                dest = get_object_or_404(Location, pk=request.POST.get("dest"), koperasi=k)
                stock.transfer(k, product=p, source=loc, dest=dest, qty=request.POST.get("qty") or "0",
                               by=request.user)
                messages.success(request, _("Pemindahan stok dicatat."))
            elif action == "opname":
                sc = services.stock_opname(k, location=loc, counts=[{"product_id": p.pk,
                                                                     "counted": request.POST.get("qty") or "0"}],
                                           by=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("Stok opname dicatat; selisih %(v)s.") % {"v": format_rupiah(sc.variance_value)})
            elif action == "writeoff":
                services.write_off(k, product=p, location=loc, qty=request.POST.get("qty") or "0",
                                   reason=request.POST.get("note", ""), by=request.user)
                messages.success(request, _("Penghapusan stok dicatat."))
        except DomainError as exc:
            _err(request, exc)
        return redirect("retail:stock_ops", k.slug)
    return render(request, "retail/stock_ops.html", {
        "locations": Location.objects.filter(koperasi=k, active=True),
        "products": Product.objects.filter(koperasi=k, unit=U, active=True).order_by("name"),
        "valuation": stock.valuation(k), "ledger": _ledger_inventory(k)})


@tenant_view(write=True, unit=U)
def opname(request):
    """Stock opname sheet of one location: every product with its system quantity; the counted quantities
    entered are posted in one count (blank = not counted)."""
    k = request.koperasi
    locations = Location.objects.filter(koperasi=k, unit=U, active=True)
    f = filters.read(request, lokasi=filters.number(_("Lokasi")), hasil=filters.number(_("Hasil")))
    chosen = filters.read(request.POST, location=filters.number()).value("location") or f.value("lokasi")
    loc = (locations.filter(pk=chosen).first() if chosen else None) or locations.first()
    if loc is None:
        loc = services.default_location(k, U)
    if request.method == "POST":
        require_write(request, U)
        counts = []
        for key, val in request.POST.items():
            if key.startswith("c_") and val.strip() != "":
                counts.append({"product_id": key[2:], "counted": val.strip().replace(",", ".")})
        try:
            sc = services.stock_opname(k, location=loc, counts=counts, by=request.user,
                                       note=request.POST.get("note", ""),
                                       date=_d(request.POST.get("date"), timezone.localdate()))
            messages.success(request, _("Stok opname dicatat: %(n)s barang dihitung, selisih %(v)s.")
                             % {"n": len(counts), "v": format_rupiah(sc.variance_value)})
            return redirect(f"{reverse('retail:opname', args=[k.slug])}?hasil={sc.pk}")
        except DomainError as exc:
            _err(request, exc)
    on_hand = dict(StockQuant.objects.filter(koperasi=k, location=loc).values("product")
                   .annotate(q=Sum("qty")).values_list("product", "q"))
    rows = [(p, on_hand.get(p.pk, Decimal(0))) for p in
            Product.objects.filter(koperasi=k, unit=U, active=True).order_by("name")]
    result = None
    if f.value("hasil"):
        result = StockCount.objects.filter(koperasi=k, pk=f.value("hasil")).first()
    return render(request, "retail/opname.html", {
        "loc": loc, "locations": locations, "rows": rows, "result": result,
        "result_lines": [(ln, ln.counted_qty - ln.system_qty) for ln in result.lines.select_related("product")]
        if result else [],
        "recent": StockCount.objects.filter(koperasi=k, location__unit=U).select_related("location")[:10]})


def _ledger_inventory(k) -> dict:
    try:
        return {code: bridge.account_balance(k, code) for code in ("1151", "1152", "1153")}
    except Exception:  # noqa: BLE001
        return {}


# --- purchasing ----------------------------------------------------------------------------------------------

@tenant_view(write=True, unit=U)
def purchases(request):
    k = request.koperasi
    if request.method == "POST":
        try:
            if request.POST.get("action") == "supplier":
                name = request.POST.get("name", "").strip()
                if not name:
                    raise DomainError("Nama pemasok wajib diisi.", "Supplier name is required.", field="name")
                Supplier.objects.create(koperasi=k, name=name, kind=request.POST.get("kind") or "grosir",
                                        phone=request.POST.get("phone", "")[:20])
                messages.success(request, _("Pemasok ditambahkan."))
            elif request.POST.get("action") == "pay":
                sup = get_object_or_404(Supplier, pk=request.POST.get("supplier"), koperasi=k)
                inv = (get_object_or_404(SupplierInvoice, pk=request.POST.get("invoice"), koperasi=k, supplier=sup)
                       if request.POST.get("invoice") else None)
                services.pay_supplier(k, supplier=sup, amount=request.POST.get("amount") or "0",
                                      account=request.POST.get("account") or "1103", invoice=inv,
                                      reference=request.POST.get("reference", ""), by=request.user)
                messages.success(request, _("Pembayaran dicatat."))
            elif request.POST.get("action") == "invoice":
                sup = get_object_or_404(Supplier, pk=request.POST.get("supplier"), koperasi=k)
                receipts = list(GoodsReceipt.objects.filter(koperasi=k, supplier=sup,
                                                            pk__in=request.POST.getlist("receipts")))
                inv = services.record_supplier_invoice(
                    k, supplier=sup, number=request.POST.get("number", ""), amount=request.POST.get("amount") or "0",
                    date=_d(request.POST.get("date"), timezone.localdate()), due_date=_d(request.POST.get("due_date")),
                    receipts=receipts)
                messages.success(request, _("Faktur %(n)s dicatat.") % {"n": inv.number})
            elif request.POST.get("action") == "return":
                sup = get_object_or_404(Supplier, pk=request.POST.get("supplier"), koperasi=k)
                prod = get_object_or_404(Product, pk=request.POST.get("product"), koperasi=k)
                loc = get_object_or_404(Location, pk=request.POST.get("location"), koperasi=k)
                ret = services.return_to_supplier(k, supplier=sup, product=prod, location=loc,
                                                  qty=request.POST.get("qty") or "0",
                                                  credit_amount=request.POST.get("credit_amount") or None,
                                                  reason=request.POST.get("reason", ""), by=request.user)
                messages.success(request, _("Retur %(n)s ke %(s)s dicatat.") % {"n": ret.number, "s": sup.name})
        except DomainError as exc:
            _err(request, exc)
        return redirect("retail:purchases", k.slug)
    return render(request, "retail/purchases.html", {
        "orders": PurchaseOrder.objects.filter(koperasi=k).select_related("supplier")[:30],
        "receipts": GoodsReceipt.objects.filter(koperasi=k).select_related("supplier")[:30],
        "invoices": SupplierInvoice.objects.filter(koperasi=k).select_related("supplier").order_by("-date", "-id")[:30],
        "returns": PurchaseReturn.objects.filter(koperasi=k).select_related("supplier", "product")[:30],
        "payables": queries.payables(k), "suppliers": Supplier.objects.filter(koperasi=k),
        "products": Product.objects.filter(koperasi=k, unit=U, active=True).order_by("name"),
        "locations": Location.objects.filter(koperasi=k, unit=U, active=True), "kinds": Supplier.Kind.choices})


def _lines_from_post(request, prefix="p"):
    lines = []
    for i in range(20):
        pid = request.POST.get(f"{prefix}{i}")
        if pid:
            lines.append({"product_id": pid, "qty": request.POST.get(f"q{i}") or "0",
                          "unit_cost": request.POST.get(f"c{i}") or "0", "lot_number": request.POST.get(f"l{i}", ""),
                          "expiry_date": request.POST.get(f"e{i}") or None,
                          "order_line_id": request.POST.get(f"ol{i}") or None})
    return lines


@tenant_view(write=True, unit=U)
def purchase_new(request):
    """New purchase order, or a direct goods receipt (no order)."""
    k = request.koperasi
    if request.method == "POST":
        try:
            sup = get_object_or_404(Supplier, pk=request.POST.get("supplier"), koperasi=k)
            loc = get_object_or_404(Location, pk=request.POST.get("location"), koperasi=k)
            lines = _lines_from_post(request)
            if request.POST.get("action") == "receive":
                gr = services.receive_goods(k, supplier=sup, location=loc, lines=lines, by=request.user,
                                            supplier_ref=request.POST.get("ref", ""))
                messages.success(request, _("Penerimaan %(n)s dicatat.") % {"n": gr.number})
            else:
                po = services.create_purchase_order(k, supplier=sup, location=loc, lines=lines, by=request.user)
                messages.success(request, _("Pesanan %(n)s dibuat.") % {"n": po.number})
                return redirect("retail:po", k.slug, po.pk)
            return redirect("retail:purchases", k.slug)
        except (DomainError, ValueError) as exc:
            messages.error(request, exc.message if isinstance(exc, DomainError) else str(exc))
    return render(request, "retail/purchase_new.html", {
        "suppliers": Supplier.objects.filter(koperasi=k, active=True),
        "locations": Location.objects.filter(koperasi=k, active=True),
        "products": Product.objects.filter(koperasi=k, unit=U, active=True).order_by("name"), "rows": range(8)})


@tenant_view(write=True, unit=U)
def po_detail(request, pk: int):
    k = request.koperasi
    po = get_object_or_404(PurchaseOrder, pk=pk, koperasi=k)
    if request.method == "POST":
        lines = []
        for ln in po.lines.all():
            q = request.POST.get(f"q{ln.pk}") or "0"
            lines.append({"product_id": ln.product_id, "qty": q, "unit_cost": str(ln.unit_cost),
                          "order_line_id": ln.pk, "lot_number": request.POST.get(f"l{ln.pk}", ""),
                          "expiry_date": request.POST.get(f"e{ln.pk}") or None})
        try:
            gr = services.receive_goods(k, supplier=po.supplier, location=po.location, order=po, lines=lines,
                                        by=request.user, supplier_ref=request.POST.get("ref", ""))
            messages.success(request, _("Penerimaan %(n)s dicatat.") % {"n": gr.number})
        except DomainError as exc:
            _err(request, exc)
        return redirect("retail:po", k.slug, po.pk)
    return render(request, "retail/po.html", {"po": po, "lines": po.lines.select_related("product"),
                                              "receipts": po.receipts.all()})


# --- RDKK ---------------------------------------------------------------------------------------------------

@tenant_view(write=True, unit=U)
def rdkk(request):
    k = request.koperasi
    if request.method == "POST":
        try:
            if request.FILES.get("file"):
                rows = services.read_rdkk_excel(request.FILES["file"])
                res = services.import_rdkk(k, rows)
                messages.success(request, _("%(n)s alokasi RDKK diimpor.") % {"n": res["imported"]})
            else:
                info = bridge.find_member(k, request.POST.get("member", ""))
                if info is None:
                    raise DomainError("Anggota tidak ditemukan.", "Member not found.", field="member")
                services.set_allocation(
                    k, member_id=info.id, season=request.POST.get("season", "").strip(),
                    fertilizer_type=request.POST.get("fertilizer_type", ""),
                    allocated_kg=request.POST.get("allocated_kg") or "0",
                    valid_from=_d(request.POST.get("valid_from"), timezone.localdate()),
                    valid_to=_d(request.POST.get("valid_to"), timezone.localdate()),
                    farmer_group=request.POST.get("farmer_group", "").strip())
                messages.success(request, _("Alokasi disimpan."))
        except DomainError as exc:
            _err(request, exc)
        return redirect("retail:rdkk", k.slug)
    qs = FertilizerAllocation.objects.filter(koperasi=k)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(farmer_name__icontains=q) | Q(farmer_group__icontains=q) | Q(nik=q) | Q(season=q))
    page = Paginator(qs.order_by("-valid_from", "farmer_group", "farmer_name"), 50).get_page(request.GET.get("page"))
    return render(request, "retail/rdkk.html", {"page": page, "q": q, "ftypes": FertilizerType.choices,
                                                "columns": services.RDKK_COLUMNS})


@tenant_view(unit=U)
def rdkk_report(request):
    k = request.koperasi
    start, end = _period(request)
    rows = queries.fertilizer_redemptions(k, start, end)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        lines = queries.fertilizer_redemption_lines(k, start, end)
        data = [[r.allocation.farmer_group, r.allocation.farmer_name, r.nik, r.allocation.get_fertilizer_type_display(),
                 r.date, r.qty_kg, r.amount, r.sale.number] for r in lines]
        return exports.export(fmt, "Laporan penebusan pupuk bersubsidi", f"{k.name} · {start} s.d. {end}",
                              ["Kelompok tani", "Petani", "NIK", "Jenis", "Tanggal", "Kg", "Nilai", "No. transaksi"],
                              data, f"penebusan-pupuk-{start}-{end}")
    return render(request, "retail/rdkk_report.html", {"rows": rows, "start": start, "end": end})


# --- HET -------------------------------------------------------------------------------------------------

@tenant_view(write=True, unit=U)
def het(request):
    k = request.koperasi
    if request.method == "POST":
        if not request.user.is_superuser:
            raise PermissionDenied
        try:
            set_het(commodity=request.POST.get("commodity", "").strip(), name=request.POST.get("name", "").strip(),
                    max_price=Decimal(request.POST.get("max_price") or "0"),
                    valid_from=_d(request.POST.get("valid_from"), timezone.localdate()),
                    decree=request.POST.get("decree", ""), region_code=request.POST.get("region_code", "").strip(),
                    uom=request.POST.get("uom", "kg").strip() or "kg")
            messages.success(request, _("HET disimpan."))
        except DomainError as exc:
            _err(request, exc)
        return redirect("retail:het", k.slug)
    in_force = sorted(hets_in_force(k).values(), key=lambda h: h.commodity)
    return render(request, "retail/het.html", {"rows": het_history(k), "in_force": in_force,
                                               "settings": pos.settings_for(k)})


@tenant_view(write=True, unit=U)
@require_POST
def limits(request):
    k = request.koperasi
    require_write(request, U)
    if not request.access.is_management:
        raise PermissionDenied
    s = pos.settings_for(k)
    try:
        for f in ("lpg_limit_qty", "sphp_limit_kg", "credit_limit"):
            val = Decimal(request.POST.get(f) or "0")
            if val < 0:
                raise ValueError
            setattr(s, f, val)
        s.lpg_limit_days = max(1, int(request.POST.get("lpg_limit_days") or 7))
        s.save()
        messages.success(request, _("Batas disimpan."))
    except (ValueError, ArithmeticError):
        messages.error(request, _("Angka tidak valid."))
    return redirect("retail:het", k.slug)


# --- reports --------------------------------------------------------------------------------------------

REPORTS = {
    "harian": gettext_lazy("Penjualan per hari"), "barang": gettext_lazy("Penjualan & margin per barang"),
    "kasir": gettext_lazy("Penjualan per kasir"), "anggota": gettext_lazy("Penjualan per anggota"),
    "lambat": gettext_lazy("Barang lambat laku"), "pembelian": gettext_lazy("Pembelian"), "utang": gettext_lazy("Utang pemasok"),
    "nilai": gettext_lazy("Nilai persediaan"),
}


def _report_table(k, kind, start, end):
    if kind == "harian":
        rows = queries.sales_by_day(k, start, end, U)
        return ([_("Tanggal"), _("Transaksi"), _("Penjualan"), _("HPP"), _("Margin"), _("Ke anggota"), _("Retur")],
                [[r["date"], r["count"], r["amount"], r["cost"], (r["amount"] or 0) - (r["cost"] or 0),
                  r["member_amount"] or 0, r["returned"] or 0] for r in rows])
    if kind == "barang":
        rows = queries.sales_by_product(k, start, end, U)
        return ([_("Kode"), _("Barang"), _("Qty"), _("Satuan"), _("Penjualan"), _("HPP"), _("Margin"), _("Margin %")],
                [[r["product__code"], r["product__name"], r["qty"], r["product__base_uom"], r["total"], r["cost"],
                  r["margin"], round(r["margin_pct"], 1)] for r in rows])
    if kind == "kasir":
        rows = queries.sales_by_cashier(k, start, end, U)
        return ([_("Kasir"), _("Transaksi"), _("Penjualan")],
                [[r["cashier__full_name"] or r["cashier__username"], r["count"], r["amount"]] for r in rows])
    if kind == "anggota":
        rows = queries.sales_by_member(k, start, end, U)
        return ([_("No. anggota"), _("Nama"), _("Transaksi"), pgettext("total belanja", "Belanja")],
                [[r["member_number"], r["member_name"], r["count"], r["amount"]] for r in rows])
    if kind == "lambat":
        rows = queries.slow_movers(k, days=60, on=end, unit=U)
        return ([_("Kode"), _("Barang"), _("Stok"), _("Nilai"), _("Terakhir terjual")],
                [[p.code, p.name, p.stock_qty, p.stock_value, p.last_sale or _("belum pernah")] for p in rows])
    if kind == "pembelian":
        rows = queries.purchases(k, start, end)
        return ([_("Tanggal"), _("Nomor"), _("Pemasok"), _("Ref."), _("Nilai")],
                [[r.date, r.number, r.supplier.name, r.supplier_ref, r.total] for r in rows])
    if kind == "utang":
        rows = queries.payables(k)
        return ([_("Pemasok"), _("Diterima"), _("Retur"), _("Dibayar"), _("Utang")],
                [[r["supplier"].name, r["received"], r["returned"], r["paid"], r["owed"]] for r in rows])
    rows = stock.valuation_by_product(k, unit=U)
    return ([_("Kode"), _("Barang"), _("Qty"), _("HPP rata-rata"), _("Nilai")],
            [[p.code, p.name, q, c, v] for p, q, c, v in rows])


@tenant_view(unit=U)
def reports(request):
    k = request.koperasi
    start, end = _period(request)
    kind = request.GET.get("jenis", "harian")
    if kind not in REPORTS:
        kind = "harian"
    headers, rows = _report_table(k, kind, start, end)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        return exports.export(fmt, f"{REPORTS[kind]} — {k.name}", f"{start} s.d. {end}", headers, rows,
                              f"gerai-{kind}-{start}-{end}")
    return render(request, "retail/reports.html", {
        "kind": kind, "reports": REPORTS, "headers": headers, "rows": rows, "start": start, "end": end,
        "summary": queries.margin_summary(k, start, end, U)})
