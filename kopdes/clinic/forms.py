from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Patient, Tariff

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _bs(form: forms.Form) -> forms.Form:
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        elif isinstance(w, forms.Select):
            w.attrs.setdefault("class", "form-select")
        else:
            w.attrs.setdefault("class", "form-control")
    return form


class PatientForm(forms.Form):
    name = forms.CharField(label=_("Nama lengkap"), max_length=120)
    nik = forms.CharField(label=_("NIK"), max_length=16, required=False,
                          help_text=_("16 digit; kosongkan untuk bayi/anak yang belum punya NIK"))
    birth_date = forms.DateField(label=_("Tanggal lahir"), widget=DATE)
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=Patient.Sex.choices)
    phone = forms.CharField(label=_("Nomor HP"), max_length=16, required=False)
    address = forms.CharField(label=_("Alamat"), max_length=200, required=False)
    bpjs_number = forms.CharField(label=_("Nomor BPJS Kesehatan"), max_length=13, required=False)
    allergies = forms.CharField(label=_("Alergi obat/makanan"), max_length=300, required=False)
    member = forms.CharField(label=_("Nomor anggota / NIK anggota"), max_length=80, required=False,
                             help_text=_("isi bila pasien anggota koperasi (tarif anggota)"))

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        _bs(self)


class VisitForm(forms.Form):
    patient = forms.IntegerField(widget=forms.HiddenInput, required=False)
    complaint = forms.CharField(label=_("Keluhan utama"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    consultation = forms.ModelChoiceField(label=_("Jenis pemeriksaan"), queryset=Tariff.objects.none(),
                                          required=False)

    def __init__(self, *a, koperasi=None, **kw):
        super().__init__(*a, **kw)
        self.fields["consultation"].queryset = Tariff.objects.filter(koperasi=koperasi, kind=Tariff.Kind.KONSULTASI,
                                                                     active=True)
        _bs(self)


class TriageForm(forms.Form):
    systolic = forms.IntegerField(label=_("Sistolik (mmHg)"), required=False)
    diastolic = forms.IntegerField(label=_("Diastolik (mmHg)"), required=False)
    temperature = forms.DecimalField(label=_("Suhu (°C)"), required=False, decimal_places=1)
    weight = forms.DecimalField(label=_("Berat (kg)"), required=False, decimal_places=1)
    height = forms.DecimalField(label=_("Tinggi (cm)"), required=False, decimal_places=1)
    pulse = forms.IntegerField(label=_("Nadi (/menit)"), required=False)
    resp_rate = forms.IntegerField(label=_("Napas (/menit)"), required=False)

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        _bs(self)
        for f in self.fields.values():
            f.widget.attrs["inputmode"] = "decimal"


class SoapForm(forms.Form):
    subjective = forms.CharField(label=_("S — Subjektif (anamnesis)"), widget=forms.Textarea(attrs={"rows": 2}),
                                 required=False)
    objective = forms.CharField(label=_("O — Objektif (pemeriksaan fisik)"), widget=forms.Textarea(attrs={"rows": 2}),
                                required=False)
    assessment = forms.CharField(label=_("A — Asesmen"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    plan = forms.CharField(label=_("P — Rencana/terapi"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        _bs(self)


class ReferralForm(forms.Form):
    destination = forms.CharField(label=_("Tujuan rujukan"), max_length=160,
                                  help_text=_("mis. Puskesmas Mesuji / RSUD Kayuagung"))
    specialty = forms.CharField(label=_("Poli/spesialis"), max_length=80, required=False)
    reason = forms.CharField(label=_("Alasan rujukan"), widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(label=_("Ringkasan klinis & terapi"), widget=forms.Textarea(attrs={"rows": 2}),
                              required=False)

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        _bs(self)


class TariffForm(forms.ModelForm):
    class Meta:
        model = Tariff
        fields = ["code", "name", "kind", "member_price", "public_price", "active"]

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        _bs(self)
