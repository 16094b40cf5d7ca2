from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopdes.core.forms import BootstrapMixin, DateInput

from .models import DeliveryOrder, Driver, MaintenancePlan, TripCost, Vehicle, VehicleDocument


def _today():
    return timezone.localdate()


class VehicleForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Kode"), max_length=20)
    kind = forms.ChoiceField(label=_("Jenis"), choices=Vehicle.Kind.choices)
    plate = forms.CharField(label=_("Nomor polisi"), max_length=15)
    brand = forms.CharField(label=_("Merek/tipe"), max_length=80, required=False)
    year = forms.IntegerField(label=_("Tahun"), required=False, min_value=1980, max_value=2100)
    capacity_kg = forms.DecimalField(label=_("Daya angkut (kg)"), max_digits=14, decimal_places=3)
    capacity_m3 = forms.DecimalField(label=_("Volume bak (m³)"), max_digits=8, decimal_places=2, required=False)
    odometer_km = forms.IntegerField(label=_("Odometer (km)"), min_value=0, initial=0)
    requires_insurance = forms.BooleanField(label=_("Wajib asuransi"), required=False)


class DocumentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Dokumen"), choices=VehicleDocument.Kind.choices)
    number = forms.CharField(label=_("Nomor"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("Terbit"), widget=DateInput(), required=False)
    valid_until = forms.DateField(label=_("Berlaku sampai"), widget=DateInput())


class DriverForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=120)
    phone = forms.CharField(label=_("Nomor HP"), max_length=16, required=False)
    license_class = forms.CharField(label=_("Golongan SIM"), max_length=10, required=False)
    license_number = forms.CharField(label=_("Nomor SIM"), max_length=30, required=False)
    license_valid_until = forms.DateField(label=_("SIM berlaku sampai"), widget=DateInput(), required=False)


class TariffForm(BootstrapMixin, forms.Form):
    base_fee = forms.DecimalField(label=_("Biaya dasar (Rp)"), max_digits=18, decimal_places=2, initial=0)
    per_km = forms.DecimalField(label=_("Tarif per km (Rp)"), max_digits=18, decimal_places=2, initial=0)
    per_kg = forms.DecimalField(label=_("Tarif per kg (Rp)"), max_digits=12, decimal_places=2, initial=0)
    member_discount_pct = forms.DecimalField(label=_("Potongan anggota (%)"), max_digits=5, decimal_places=2, initial=0)
    effective_from = forms.DateField(label=_("Berlaku mulai"), widget=DateInput(), initial=_today)
    note = forms.CharField(label=_("Dasar penetapan"), max_length=200, required=False)


ITEM_ROWS = 4


class DeliveryForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Jenis pengiriman"), choices=DeliveryOrder.Kind.choices)
    date = forms.DateField(label=_("Tanggal"), widget=DateInput(), initial=_today)
    origin = forms.CharField(label=_("Asal"), max_length=160)
    destination = forms.CharField(label=pgettext_lazy("tujuan pengiriman", "Tujuan"), max_length=160)
    stops = forms.CharField(label=_("Titik antar/muat tambahan"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("satu per baris: nama | alamat (kosong = langsung ke tujuan)"))
    member = forms.CharField(label=_("Nomor anggota / NIK pemesan"), required=False)
    customer_name = forms.CharField(label=_("Nama pemesan/penerima (bukan anggota)"), max_length=120, required=False)
    vehicle = forms.ModelChoiceField(label=_("Kendaraan"), queryset=Vehicle.objects.none(), required=False)
    driver = forms.ModelChoiceField(label=_("Pengemudi"), queryset=Driver.objects.none(), required=False)
    fee_basis = forms.ChoiceField(label=_("Dasar biaya"), choices=DeliveryOrder.FeeBasis.choices)
    distance_km = forms.DecimalField(label=_("Jarak (km)"), max_digits=8, decimal_places=1, required=False)
    flat_fee = forms.DecimalField(label=_("Tarif tetap (Rp)"), max_digits=18, decimal_places=2, required=False)
    payment = forms.ChoiceField(label=_("Pembayaran"), choices=DeliveryOrder.Payment.choices)
    from_location = forms.TypedChoiceField(label=_("Lokasi stok asal (gudang)"), required=False, coerce=int,
                                           empty_value=None,
                                           help_text=_("hanya untuk barang stok koperasi gudang → gerai/apotek"))
    to_location = forms.TypedChoiceField(label=_("Lokasi stok tujuan (gerai/apotek)"), required=False, coerce=int,
                                         empty_value=None)
    note = forms.CharField(label=_("Catatan"), max_length=200, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, koperasi=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = Vehicle.objects.filter(koperasi=koperasi, active=True)
        self.fields["driver"].queryset = Driver.objects.filter(koperasi=koperasi, active=True)
        locations, products = _stock_choices(koperasi)
        self.fields["from_location"].choices = [("", "—")] + locations
        self.fields["to_location"].choices = [("", "—")] + locations
        for i in range(1, ITEM_ROWS + 1):
            req = i == 1
            self.fields[f"product{i}"] = forms.TypedChoiceField(label=_("Barang stok"), required=False, coerce=int,
                                                                empty_value=None,
                                                                choices=[("", _("— (bukan barang stok)"))] + products)
            self.fields[f"item{i}"] = forms.CharField(label=f"{_('Barang')} {i}", max_length=160, required=False)
            self.fields[f"qty{i}"] = forms.DecimalField(label=pgettext_lazy("kuantitas", "Jumlah"), required=False, max_digits=14, decimal_places=3)
            self.fields[f"uom{i}"] = forms.CharField(label=_("Satuan"), max_length=20, required=False)
            self.fields[f"weight{i}"] = forms.DecimalField(label=_("Berat (kg)"), required=req, max_digits=14,
                                                           decimal_places=3)
            for n in ("item", "qty", "uom", "weight"):
                self.fields[f"{n}{i}"].widget.attrs.setdefault("class", "form-control")
            self.fields[f"product{i}"].widget.attrs.setdefault("class", "form-select")

    def clean(self):
        data = super().clean()
        if not (data.get("item1") or data.get("product1")):
            self.add_error("item1", _("Isi nama barang atau pilih barang stok."))
        return data

    def items(self) -> list[dict]:
        out = []
        for i in range(1, ITEM_ROWS + 1):
            desc = self.cleaned_data.get(f"item{i}")
            product = self.cleaned_data.get(f"product{i}")
            if desc or product:
                row = {"description": desc or "", "qty": self.cleaned_data.get(f"qty{i}") or 0,
                       "uom": self.cleaned_data.get(f"uom{i}") or "",
                       "weight_kg": self.cleaned_data.get(f"weight{i}")}
                if product:
                    row["product_id"] = product
                out.append(row)
        return out

    def stop_list(self) -> list[dict]:
        out = []
        for line in (self.cleaned_data.get("stops") or "").splitlines():
            if line.strip():
                name, _sep, addr = line.partition("|")
                out.append({"name": name.strip(), "address": addr.strip()})
        return out


def _stock_choices(koperasi) -> tuple[list, list]:
    """Active stock locations and products of the cooperative (retail engine), for stock-moving deliveries."""
    if koperasi is None:
        return [], []
    from kopdes.retail.models import Location, Product

    locations = [(loc.pk, f"{loc.name} ({loc.get_unit_display()})")
                 for loc in Location.objects.filter(koperasi=koperasi, active=True).order_by("code")]
    products = [(p.pk, f"{p.name} [{p.base_uom}]") for p in
                Product.objects.filter(koperasi=koperasi, active=True).order_by("name").only("pk", "name", "base_uom")]
    return locations, products


class AssignForm(BootstrapMixin, forms.Form):
    vehicle = forms.ModelChoiceField(label=_("Kendaraan"), queryset=Vehicle.objects.none())
    driver = forms.ModelChoiceField(label=_("Pengemudi"), queryset=Driver.objects.none(), required=False)

    def __init__(self, *args, koperasi=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = Vehicle.objects.filter(koperasi=koperasi, active=True)
        self.fields["driver"].queryset = Driver.objects.filter(koperasi=koperasi, active=True)


class ProofForm(BootstrapMixin, forms.Form):
    recipient_name = forms.CharField(label=_("Nama penerima"), max_length=120)
    photo = forms.FileField(label=_("Foto bukti"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    signature = forms.CharField(widget=forms.HiddenInput, required=False)


class FailForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Alasan gagal/batal"), max_length=200)


class TripForm(BootstrapMixin, forms.Form):
    vehicle = forms.ModelChoiceField(label=_("Kendaraan"), queryset=Vehicle.objects.none())
    driver = forms.ModelChoiceField(label=_("Pengemudi"), queryset=Driver.objects.none())
    date = forms.DateField(label=_("Tanggal"), widget=DateInput(), initial=_today)
    odometer_start = forms.IntegerField(label=_("Odometer berangkat (km)"), required=False, min_value=0,
                                        help_text=_("kosong = odometer terakhir kendaraan"))
    deliveries = forms.ModelMultipleChoiceField(label=_("Pengiriman yang dibawa"), queryset=DeliveryOrder.objects.none(),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Catatan"), max_length=200, required=False)

    def __init__(self, *args, koperasi=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = Vehicle.objects.filter(koperasi=koperasi, active=True)
        self.fields["driver"].queryset = Driver.objects.filter(koperasi=koperasi, active=True)
        self.fields["deliveries"].queryset = DeliveryOrder.objects.filter(
            koperasi=koperasi, status=DeliveryOrder.Status.PLANNED, trip__isnull=True)
        self.fields["deliveries"].widget.attrs["class"] = "form-check-input"


class CostForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Jenis biaya"), choices=TripCost.Kind.choices)
    amount = forms.DecimalField(label=_("Jumlah (Rp)"), max_digits=18, decimal_places=2)
    liters = forms.DecimalField(label=_("Liter (BBM)"), required=False, max_digits=8, decimal_places=2)
    note = forms.CharField(label=_("Catatan"), max_length=120, required=False)


class CloseTripForm(BootstrapMixin, forms.Form):
    odometer_end = forms.IntegerField(label=_("Odometer kembali (km)"), min_value=0)


class PlanForm(BootstrapMixin, forms.Form):
    task = forms.CharField(label=pgettext_lazy("tugas", "Pekerjaan"), max_length=120)
    interval_km = forms.IntegerField(label=_("Setiap (km)"), required=False, min_value=1)
    interval_days = forms.IntegerField(label=_("Setiap (hari)"), required=False, min_value=1)
    last_done_on = forms.DateField(label=_("Terakhir dikerjakan"), widget=DateInput(), required=False)
    last_done_km = forms.IntegerField(label=_("Odometer terakhir"), required=False, min_value=0)


class MaintenanceForm(BootstrapMixin, forms.Form):
    plan = forms.ModelChoiceField(label=_("Jadwal"), queryset=MaintenancePlan.objects.none(), required=False)
    date = forms.DateField(label=_("Tanggal"), widget=DateInput(), initial=_today)
    odometer_km = forms.IntegerField(label=_("Odometer (km)"), min_value=0)
    description = forms.CharField(label=pgettext_lazy("tugas", "Pekerjaan"), max_length=200)
    workshop = forms.CharField(label=_("Bengkel"), max_length=120, required=False)
    cost = forms.DecimalField(label=_("Biaya (Rp)"), max_digits=18, decimal_places=2, initial=0)

    def __init__(self, *args, vehicle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = MaintenancePlan.objects.filter(vehicle=vehicle)
