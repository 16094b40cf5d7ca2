from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopdes.core.forms import BootstrapMixin, DateInput

from .models import CapacityUnit, Commodity, Facility, Pledge, Release, StorageTariff, Zone


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _today():
    return timezone.localdate()


class FacilityForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Kode"), max_length=20)
    name = forms.CharField(label=_("Nama"), max_length=120)
    kind = forms.ChoiceField(label=_("Jenis"), choices=Facility.Kind.choices)
    address = forms.CharField(label=_("Alamat"), max_length=200, required=False)


class ZoneForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Kode"), max_length=20)
    name = forms.CharField(label=_("Nama"), max_length=120)
    kind = forms.ChoiceField(label=_("Jenis"), choices=Zone.Kind.choices)
    capacity = forms.DecimalField(label=_("Kapasitas"), max_digits=14, decimal_places=3)
    capacity_unit = forms.ChoiceField(label=_("Satuan"), choices=CapacityUnit.choices)
    temp_min = forms.DecimalField(label=_("Suhu min (°C)"), required=False, max_digits=5, decimal_places=2,
                                  help_text=_("hanya ruang pendingin"))
    temp_max = forms.DecimalField(label=_("Suhu maks (°C)"), required=False, max_digits=5, decimal_places=2)


class TariffForm(BootstrapMixin, forms.Form):
    commodity = forms.ChoiceField(label=_("Komoditas"), choices=[("", _("Semua komoditas"))] + Commodity.choices,
                                  required=False)
    cold = forms.BooleanField(label=_("Ruang pendingin"), required=False)
    period = forms.ChoiceField(label=_("Periode"), choices=StorageTariff.Period.choices)
    member_rate = forms.DecimalField(label=_("Tarif anggota (Rp/kg)"), max_digits=12, decimal_places=4)
    public_rate = forms.DecimalField(label=_("Tarif umum (Rp/kg)"), max_digits=12, decimal_places=4)
    effective_from = forms.DateField(label=_("Berlaku mulai"), widget=DateInput(), initial=_today)
    note = forms.CharField(label=_("Dasar penetapan"), max_length=200, required=False,
                           help_text=_("mis. keputusan rapat pengurus"))


class IntakeForm(BootstrapMixin, forms.Form):
    zone = forms.ModelChoiceField(label=_("Zona/rak/ruang"), queryset=Zone.objects.none())
    commodity = forms.ChoiceField(label=_("Komoditas"), choices=Commodity.choices)
    member = forms.CharField(label=_("Nomor anggota / NIK"), required=False,
                             help_text=_("kosongkan untuk penyimpan umum (bukan anggota)"))
    depositor_name = forms.CharField(label=_("Nama penyimpan (bukan anggota)"), required=False, max_length=120)
    depositor_phone = forms.CharField(label=_("HP penyimpan"), required=False, max_length=16)
    depositor_id_number = forms.CharField(label=_("NIK penyimpan umum"), required=False, max_length=20)
    variety = forms.CharField(label=_("Varietas/jenis"), required=False, max_length=60)
    grade = forms.CharField(label=_("Mutu/kelas"), required=False, max_length=20)
    moisture_pct = forms.DecimalField(label=_("Kadar air (%)"), required=False, max_digits=5, decimal_places=2)
    impurities_pct = forms.DecimalField(label=_("Kotoran (%)"), required=False, max_digits=5, decimal_places=2)
    bags = forms.IntegerField(label=_("Jumlah karung"), required=False, min_value=0)
    gross_kg = forms.DecimalField(label=_("Berat kotor (kg)"), max_digits=14, decimal_places=3)
    net_kg = forms.DecimalField(label=_("Berat bersih (kg)"), max_digits=14, decimal_places=3)
    volume_m3 = forms.DecimalField(label=_("Volume (m³)"), required=False, max_digits=10, decimal_places=3)
    pallets = forms.DecimalField(label=_("Palet"), required=False, max_digits=8, decimal_places=2)
    date = forms.DateField(label=_("Tanggal masuk"), widget=DateInput(), initial=_today)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=200)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, koperasi=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(koperasi=koperasi, active=True).select_related("facility")


class ReleaseForm(BootstrapMixin, forms.Form):
    kg = forms.DecimalField(label=_("Berat keluar (kg)"), max_digits=14, decimal_places=3)
    date = forms.DateField(label=_("Tanggal keluar"), widget=DateInput(), initial=_today)
    payment = forms.ChoiceField(label=_("Pembayaran sewa"), choices=Release.Payment.choices)
    collected_by = forms.CharField(label=_("Diambil oleh"), required=False, max_length=120)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)


class PledgeForm(BootstrapMixin, forms.Form):
    lender_kind = forms.ChoiceField(label=_("Pemberi pinjaman"), choices=Pledge.Lender.choices)
    lender_name = forms.CharField(label=_("Nama pemberi pinjaman"), max_length=120)
    reference = forms.CharField(label=_("Nomor perjanjian"), required=False, max_length=60)
    amount = forms.DecimalField(label=_("Nilai pinjaman (Rp)"), required=False, max_digits=18, decimal_places=2)
    date = forms.DateField(label=_("Tanggal"), widget=DateInput(), initial=_today)


class PledgeReleaseForm(BootstrapMixin, forms.Form):
    reference = forms.CharField(label=_("Nomor surat pelepasan (roya)"), required=False, max_length=60)
    date = forms.DateField(label=_("Tanggal pelepasan"), widget=DateInput(), initial=_today)


class ReadingForm(BootstrapMixin, forms.Form):
    zone = forms.ModelChoiceField(label=_("Ruang pendingin"), queryset=Zone.objects.none())
    at = forms.DateTimeField(label=_("Waktu"), widget=DateTimeInput(), initial=lambda: timezone.localtime())
    celsius = forms.DecimalField(label=_("Suhu (°C)"), max_digits=5, decimal_places=2)

    def __init__(self, *args, koperasi=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(koperasi=koperasi, kind=Zone.Kind.COLD_ROOM, active=True)


class DeviceForm(BootstrapMixin, forms.Form):
    zone = forms.ModelChoiceField(label=_("Ruang pendingin"), queryset=Zone.objects.none())
    name = forms.CharField(label=_("Nama perangkat"), max_length=80)
    serial = forms.CharField(label=_("Nomor seri"), required=False, max_length=60)

    def __init__(self, *args, koperasi=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(koperasi=koperasi, kind=Zone.Kind.COLD_ROOM, active=True)


class AckForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("Tindakan yang diambil"), max_length=300)
