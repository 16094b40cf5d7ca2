from __future__ import annotations

from django import forms
from django.utils import timezone

from kopdes.core.forms import BootstrapMixin, DateInput

from .models import CapacityUnit, Commodity, Facility, Pledge, Release, StorageTariff, Zone


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _today():
    return timezone.localdate()


class FacilityForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label="Kode", max_length=20)
    name = forms.CharField(label="Nama", max_length=120)
    kind = forms.ChoiceField(label="Jenis", choices=Facility.Kind.choices)
    address = forms.CharField(label="Alamat", max_length=200, required=False)


class ZoneForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label="Kode", max_length=20)
    name = forms.CharField(label="Nama", max_length=120)
    kind = forms.ChoiceField(label="Jenis", choices=Zone.Kind.choices)
    capacity = forms.DecimalField(label="Kapasitas", max_digits=14, decimal_places=3)
    capacity_unit = forms.ChoiceField(label="Satuan", choices=CapacityUnit.choices)
    temp_min = forms.DecimalField(label="Suhu min (°C)", required=False, max_digits=5, decimal_places=2,
                                  help_text="hanya ruang pendingin")
    temp_max = forms.DecimalField(label="Suhu maks (°C)", required=False, max_digits=5, decimal_places=2)


class TariffForm(BootstrapMixin, forms.Form):
    commodity = forms.ChoiceField(label="Komoditas", choices=[("", "Semua komoditas")] + Commodity.choices,
                                  required=False)
    cold = forms.BooleanField(label="Ruang pendingin", required=False)
    period = forms.ChoiceField(label="Periode", choices=StorageTariff.Period.choices)
    member_rate = forms.DecimalField(label="Tarif anggota (Rp/kg)", max_digits=12, decimal_places=4)
    public_rate = forms.DecimalField(label="Tarif umum (Rp/kg)", max_digits=12, decimal_places=4)
    effective_from = forms.DateField(label="Berlaku mulai", widget=DateInput(), initial=_today)
    note = forms.CharField(label="Dasar penetapan", max_length=200, required=False,
                           help_text="mis. keputusan rapat pengurus")


class IntakeForm(BootstrapMixin, forms.Form):
    zone = forms.ModelChoiceField(label="Zona/rak/ruang", queryset=Zone.objects.none())
    commodity = forms.ChoiceField(label="Komoditas", choices=Commodity.choices)
    member = forms.CharField(label="Nomor anggota / NIK", required=False,
                             help_text="kosongkan untuk penyimpan umum (bukan anggota)")
    depositor_name = forms.CharField(label="Nama penyimpan (bukan anggota)", required=False, max_length=120)
    depositor_phone = forms.CharField(label="HP penyimpan", required=False, max_length=16)
    depositor_id_number = forms.CharField(label="NIK penyimpan umum", required=False, max_length=20)
    variety = forms.CharField(label="Varietas/jenis", required=False, max_length=60)
    grade = forms.CharField(label="Mutu/kelas", required=False, max_length=20)
    moisture_pct = forms.DecimalField(label="Kadar air (%)", required=False, max_digits=5, decimal_places=2)
    impurities_pct = forms.DecimalField(label="Kotoran (%)", required=False, max_digits=5, decimal_places=2)
    bags = forms.IntegerField(label="Jumlah karung", required=False, min_value=0)
    gross_kg = forms.DecimalField(label="Berat kotor (kg)", max_digits=14, decimal_places=3)
    net_kg = forms.DecimalField(label="Berat bersih (kg)", max_digits=14, decimal_places=3)
    volume_m3 = forms.DecimalField(label="Volume (m³)", required=False, max_digits=10, decimal_places=3)
    pallets = forms.DecimalField(label="Palet", required=False, max_digits=8, decimal_places=2)
    date = forms.DateField(label="Tanggal masuk", widget=DateInput(), initial=_today)
    note = forms.CharField(label="Catatan", required=False, max_length=200)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, koperasi=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(koperasi=koperasi, active=True).select_related("facility")


class ReleaseForm(BootstrapMixin, forms.Form):
    kg = forms.DecimalField(label="Berat keluar (kg)", max_digits=14, decimal_places=3)
    date = forms.DateField(label="Tanggal keluar", widget=DateInput(), initial=_today)
    payment = forms.ChoiceField(label="Pembayaran sewa", choices=Release.Payment.choices)
    collected_by = forms.CharField(label="Diambil oleh", required=False, max_length=120)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)


class PledgeForm(BootstrapMixin, forms.Form):
    lender_kind = forms.ChoiceField(label="Pemberi pinjaman", choices=Pledge.Lender.choices)
    lender_name = forms.CharField(label="Nama pemberi pinjaman", max_length=120)
    reference = forms.CharField(label="Nomor perjanjian", required=False, max_length=60)
    amount = forms.DecimalField(label="Nilai pinjaman (Rp)", required=False, max_digits=18, decimal_places=2)
    date = forms.DateField(label="Tanggal", widget=DateInput(), initial=_today)


class PledgeReleaseForm(BootstrapMixin, forms.Form):
    reference = forms.CharField(label="Nomor surat pelepasan (roya)", required=False, max_length=60)
    date = forms.DateField(label="Tanggal pelepasan", widget=DateInput(), initial=_today)


class ReadingForm(BootstrapMixin, forms.Form):
    zone = forms.ModelChoiceField(label="Ruang pendingin", queryset=Zone.objects.none())
    at = forms.DateTimeField(label="Waktu", widget=DateTimeInput(), initial=lambda: timezone.localtime())
    celsius = forms.DecimalField(label="Suhu (°C)", max_digits=5, decimal_places=2)

    def __init__(self, *args, koperasi=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(koperasi=koperasi, kind=Zone.Kind.COLD_ROOM, active=True)


class DeviceForm(BootstrapMixin, forms.Form):
    zone = forms.ModelChoiceField(label="Ruang pendingin", queryset=Zone.objects.none())
    name = forms.CharField(label="Nama perangkat", max_length=80)
    serial = forms.CharField(label="Nomor seri", required=False, max_length=60)

    def __init__(self, *args, koperasi=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(koperasi=koperasi, kind=Zone.Kind.COLD_ROOM, active=True)


class AckForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label="Tindakan yang diambil", max_length=300)
