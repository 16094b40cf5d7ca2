from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopdes.core.forms import BootstrapMixin, DateInput
from kopdes.members.models import Member

from .models import PPAP_TABLES, SECTORS, BankFacility, Loan, LoanProduct, LoanSettings
from .schedule import DAY_COUNTS, FREQUENCIES, METHODS, RATE_PERIODS

CHANNELS = Loan.Channel.choices


class CalculatorForm(BootstrapMixin, forms.Form):
    amount = forms.DecimalField(label=_("Jumlah pinjaman (Rp)"), min_value=1, decimal_places=0, initial=10_000_000)
    method = forms.ChoiceField(label=_("Metode"), choices=list(METHODS.items()), initial="anuitas")
    rate = forms.DecimalField(label=_("Suku bunga (%)"), min_value=0, decimal_places=3, initial=Decimal("1.5"))
    rate_period = forms.ChoiceField(label=_("Periode bunga"), choices=list(RATE_PERIODS.items()), initial="bulan")
    tenor = forms.IntegerField(label=_("Jumlah angsuran"), min_value=1, initial=12)
    frequency = forms.ChoiceField(label=_("Frekuensi"), choices=list(FREQUENCIES.items()), initial="bulanan")
    season_months = forms.IntegerField(label=_("Bulan per musim"), min_value=1, max_value=12, initial=4, required=False)
    balloon = forms.BooleanField(label=_("Pokok dibayar di akhir (panen)"), required=False)
    day_count = forms.ChoiceField(label=_("Basis hari"), choices=list(DAY_COUNTS.items()), initial="30/360")
    grace_principal = forms.IntegerField(label=_("Tenggang pokok (angsuran)"), min_value=0, initial=0, required=False)
    grace_interest = forms.IntegerField(label=_("Tenggang jasa (angsuran)"), min_value=0, initial=0, required=False)
    rounding = forms.TypedChoiceField(label=_("Pembulatan ke atas"), coerce=int, initial=100,
                                      choices=[(1, "Rp1"), (100, "Rp100"), (500, "Rp500"), (1000, "Rp1.000")])
    start_date = forms.DateField(label=_("Tanggal pencairan"), widget=DateInput(), required=False)


class ProductForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = LoanProduct
        fields = [f.name for f in LoanProduct._meta.fields if f.name not in ("id", "koperasi")]


class SettingsForm(BootstrapMixin, forms.ModelForm):
    """Collectibility and PPAP. Switching the scheme brings the new scheme's PPAP table (``PPAP_TABLES``) for every
    percentage still at the old scheme's value; a percentage the cooperative changed itself is kept."""

    class Meta:
        model = LoanSettings
        fields = [f.name for f in LoanSettings._meta.fields if f.name not in ("id", "koperasi")]

    def clean(self):
        data = super().clean()
        old, new = self.instance.scheme if self.instance.pk else None, data.get("scheme")
        if old and new and new != old:
            for name, value in PPAP_TABLES[new].items():
                if data.get(name) is not None and data[name] == PPAP_TABLES[old][name]:
                    data[name] = value
        return data


class ApplicationForm(BootstrapMixin, forms.Form):
    member = forms.ModelChoiceField(label=_("Anggota"), queryset=Member.objects.none())
    product = forms.ModelChoiceField(label=_("Produk"), queryset=LoanProduct.objects.none())
    amount = forms.DecimalField(label=_("Jumlah pinjaman (Rp)"), decimal_places=0)
    tenor = forms.IntegerField(label=_("Jangka (jumlah angsuran)"))
    purpose = forms.ChoiceField(label=_("Tujuan"), choices=Loan.Purpose.choices)
    sector = forms.ChoiceField(label=_("Sektor usaha (produktif)"), choices=[("", "—")] + SECTORS, required=False)
    purpose_note = forms.CharField(label=_("Keterangan penggunaan"), required=False)
    income = forms.DecimalField(label=_("Pendapatan per bulan"), decimal_places=0, initial=0)
    expense = forms.DecimalField(label=_("Pengeluaran rumah tangga per bulan"), decimal_places=0, initial=0)
    other_instalments = forms.DecimalField(label=_("Angsuran lain per bulan"), decimal_places=0, initial=0)
    collateral_type = forms.CharField(label=_("Jenis agunan"), required=False)
    collateral_value = forms.DecimalField(label=_("Nilai agunan"), decimal_places=0, initial=0, required=False)
    collateral_docs = forms.CharField(label=_("Dokumen agunan (mis. BPKB, SHM no.)"), required=False)
    guarantor = forms.ModelChoiceField(label=_("Penjamin (anggota)"), queryset=Member.objects.none(), required=False)
    grace_principal = forms.IntegerField(label=_("Tenggang pokok"), initial=0, required=False)
    grace_interest = forms.IntegerField(label=_("Tenggang jasa"), initial=0, required=False)

    def __init__(self, koperasi, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # every member of this cooperative is listed so a refusal can explain itself (non-members are refused)
        members = Member.objects.filter(koperasi=koperasi).order_by("name")
        self.fields["member"].queryset = members
        self.fields["guarantor"].queryset = members.filter(status=Member.Status.AKTIF)
        self.fields["product"].queryset = LoanProduct.objects.filter(koperasi=koperasi, active=True)


class NoteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DisburseForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("Tanggal pencairan"), widget=DateInput(), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("Dicairkan"), choices=CHANNELS)
    first_due_date = forms.DateField(label=_("Angsuran pertama (kosong = satu periode)"), widget=DateInput(),
                                     required=False)
    key = forms.CharField(widget=forms.HiddenInput, required=False)


class RepayForm(BootstrapMixin, forms.Form):
    amount = forms.DecimalField(label=_("Jumlah dibayar (Rp)"), decimal_places=0)
    date = forms.DateField(label=_("Tanggal"), widget=DateInput(), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("Cara bayar"), choices=CHANNELS)
    settle = forms.BooleanField(label=_("Pelunasan dipercepat"), required=False)
    key = forms.CharField(widget=forms.HiddenInput, required=False)


class RestructureForm(BootstrapMixin, forms.Form):
    tenor = forms.IntegerField(label=_("Jumlah angsuran baru"), min_value=1)
    rate = forms.DecimalField(label=_("Suku bunga baru (kosong = tetap)"), required=False, decimal_places=3)
    grace_principal = forms.IntegerField(label=_("Tenggang pokok"), initial=0, min_value=0)
    grace_interest = forms.IntegerField(label=_("Tenggang jasa"), initial=0, min_value=0)
    date = forms.DateField(label=_("Berlaku mulai"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 2}))


class RecoverForm(BootstrapMixin, forms.Form):
    amount = forms.DecimalField(label=_("Jumlah pemulihan (Rp)"), decimal_places=0)
    date = forms.DateField(label=_("Tanggal"), widget=DateInput(), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("Cara bayar"), choices=CHANNELS)
    key = forms.CharField(widget=forms.HiddenInput, required=False)


class AgeingForm(BootstrapMixin, forms.Form):
    as_of = forms.DateField(label=_("Per tanggal"), widget=DateInput(), initial=timezone.localdate)


class PeriodForm(BootstrapMixin, forms.Form):
    start = forms.DateField(label=_("Dari"), widget=DateInput(),
                            initial=lambda: timezone.localdate().replace(day=1))
    end = forms.DateField(label=_("Sampai"), widget=DateInput(), initial=timezone.localdate)


class BankFacilityForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = BankFacility
        fields = ["bank_name", "contract_number", "amount", "operating_part", "rate", "tenor", "grace", "method",
                  "received_on", "unit", "note"]
        widgets = {"received_on": DateInput()}


def default_date() -> dt.date:
    return timezone.localdate()
