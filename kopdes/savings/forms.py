from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kopdes.core.forms import BootstrapMixin, DateInput

from .models import Kind, PaymentMethod, SavingsSettings


class CounterForm(BootstrapMixin, forms.Form):
    OPS = [("setor", _("Setor")), ("tarik", _("Tarik (sukarela)"))]
    op = forms.ChoiceField(label=_("Transaksi"), choices=OPS)
    kind = forms.ChoiceField(label=_("Jenis simpanan"), choices=Kind.choices)
    amount = forms.CharField(label=_("Jumlah (Rp)"), required=False,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                             help_text=_("Simpanan pokok: otomatis sesuai AD/ART"))
    method = forms.ChoiceField(label=_("Cara bayar"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Referensi transfer/QRIS"), max_length=80, required=False)
    date = forms.DateField(label=_("Tanggal"), widget=DateInput())
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class BillingForm(BootstrapMixin, forms.Form):
    period = forms.CharField(label=_("Bulan"), widget=forms.TextInput(attrs={"type": "month"}))
    autodebit = forms.BooleanField(label=_("Debet otomatis dari sukarela (anggota yang setuju)"), required=False,
                                   initial=True)

    def clean_period(self):
        import datetime as dt

        text = self.cleaned_data["period"]
        try:
            y, m = text.split("-")[:2]
            return dt.date(int(y), int(m), 1)
        except (ValueError, TypeError):
            raise forms.ValidationError("Bulan tidak valid (YYYY-MM). / Invalid month.")


class SettingsForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = SavingsSettings
        fields = ["sukarela_min_balance", "jasa_enabled", "jasa_rate_annual", "jasa_basis", "tax_rate",
                  "tax_threshold", "decided_by"]
