from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopdes.clinic.forms import DATE, _bs

from .models import Drug, DrugClass, PharmacySettings

DRUG_FIELDS = ["code", "generic_name", "brand", "strength", "form", "drug_class", "base_uom", "member_price",
               "public_price", "het_price", "het_reference", "min_stock", "active"]


class DrugForm(forms.Form):
    """Plain form over the drug's fields: the service validates (narcotics refused with a clear message)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.fields.update(forms.fields_for_model(Drug, fields=DRUG_FIELDS))
        self.fields["drug_class"].choices = DrugClass.choices
        _bs(self)


class PackForm(forms.Form):
    name = forms.CharField(label=_("Kemasan"), max_length=30, help_text=_("mis. strip, box, botol"))
    factor = forms.DecimalField(label=_("Isi (satuan terkecil)"), min_value=0)
    member_price = forms.DecimalField(label=_("Harga anggota per kemasan"), min_value=0, required=False,
                                      help_text=_("kosong = harga satuan × isi"))
    public_price = forms.DecimalField(label=_("Harga umum per kemasan"), min_value=0, required=False)

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        _bs(self)


class ReceiveForm(forms.Form):
    drug = forms.ModelChoiceField(label=_("Obat"), queryset=Drug.objects.none())
    lot_number = forms.CharField(label=_("Nomor batch"), max_length=40)
    expiry_date = forms.DateField(label=_("Kedaluwarsa (ED)"), widget=DATE)
    uom = forms.CharField(label=_("Dihitung per"), max_length=30, required=False,
                          help_text=_("kosong = satuan terkecil; atau nama kemasan obat ini, mis. box, strip"))
    qty = forms.DecimalField(label=pgettext_lazy("kuantitas", "Jumlah"), min_value=0)
    unit_cost = forms.DecimalField(label=_("Harga beli per satuan/kemasan"), min_value=0)
    supplier_ref = forms.CharField(label=_("No. faktur PBF"), max_length=60, required=False)

    def __init__(self, *a, koperasi=None, **kw):
        super().__init__(*a, **kw)
        self.fields["drug"].queryset = Drug.objects.filter(koperasi=koperasi, active=True)
        _bs(self)


class PaperPrescriptionForm(forms.Form):
    patient_name = forms.CharField(label=_("Nama pasien"), max_length=120)
    patient_age = forms.CharField(label=_("Umur"), max_length=20, required=False)
    allergies = forms.CharField(label=_("Alergi"), max_length=300, required=False)
    prescriber_name = forms.CharField(label=_("Dokter penulis resep"), max_length=120)
    prescriber_license = forms.CharField(label=_("Nomor SIP"), max_length=60, required=False)
    prescriber_place = forms.CharField(label=_("Fasilitas kesehatan"), max_length=160, required=False)
    date = forms.DateField(label=_("Tanggal resep"), widget=DATE)
    photo = forms.ImageField(label=_("Foto resep"), required=False)

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        _bs(self)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = PharmacySettings
        fields = ["near_expiry_days", "pharmacist_name", "license_number", "label_footer"]

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        _bs(self)
