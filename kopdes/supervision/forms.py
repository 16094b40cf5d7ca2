from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopdes.core.models import Koperasi

from .models import (
    GOVERNANCE_INDICATORS,
    MILESTONES,
    UNIT_CODES,
    BuildingStatus,
    FollowUp,
    Rating,
    VillageFormation,
    VisitArea,
)
from .services import EDITABLE


class _Bootstrap:
    def _style(self):
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.Select):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FormationForm(_Bootstrap, forms.ModelForm):
    class Meta:
        model = VillageFormation
        fields = [
            "formation_model", "sosialisasi_date", "musdesus_date", "musdesus_attendance", "musdesus_berita_acara",
            "rapat_pendirian_date", "rapat_pendirian_attendance", "akta_date", "akta_number", "notary_name",
            "ahu_date", "ahu_number", "nib_date", "nib", "npwp_date", "npwp", "rekening_date", "bank_name",
            "bank_account", "building_status", *[f"unit_{u}" for u in UNIT_CODES], "notes",
        ]
        widgets = {f: DATE for f in [*[f"{k}_date" for k, _l in MILESTONES], *[f"unit_{u}" for u in UNIT_CODES]]}
        widgets["notes"] = forms.Textarea(attrs={"rows": 2})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assert set(self.fields) <= EDITABLE
        for f in self.fields.values():
            f.required = False
        self.fields["formation_model"].choices = Koperasi.FormationModel.choices
        self.fields["building_status"].choices = BuildingStatus.choices
        self._style()


class EvidenceForm(_Bootstrap, forms.Form):
    milestone = forms.ChoiceField(label=_("Tahapan"), choices=[*MILESTONES, ("bangunan", _("Bangunan/gerai")),
                                                            ("unit", _("Unit usaha"))])
    file = forms.FileField(label=_("Berkas (PDF/JPG/PNG, maks. 5 MB)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
        self._style()


class ImportForm(_Bootstrap, forms.Form):
    file = forms.FileField(label=_("Berkas Excel (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class VisitForm(_Bootstrap, forms.Form):
    date = forms.DateField(label=_("Tanggal kunjungan"), widget=DATE)
    purpose = forms.CharField(label=pgettext_lazy("tujuan kunjungan", "Tujuan"), max_length=200, required=False)
    summary = forms.CharField(label=_("Ringkasan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class FindingForm(_Bootstrap, forms.Form):
    area = forms.ChoiceField(label=_("Aspek"), choices=[("", "—"), *VisitArea.choices], required=False)
    indicator = forms.CharField(label=_("Indikator"), max_length=200, required=False)
    procedure = forms.CharField(label=_("Prosedur"), max_length=200, required=False)
    evidence = forms.CharField(label=pgettext_lazy("bukti pemeriksaan", "Bukti"), max_length=300, required=False)
    rating = forms.ChoiceField(label=_("Penilaian"), choices=[("", "—"), *Rating.choices], required=False)
    finding = forms.CharField(label=_("Temuan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    recommendation = forms.CharField(label=_("Rekomendasi"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label=_("Penanggung jawab"), max_length=120, required=False)
    deadline = forms.DateField(label=_("Batas waktu"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


FindingFormSet = formset_factory(FindingForm, extra=4, max_num=20)


class FollowUpForm(_Bootstrap, forms.Form):
    follow_up = forms.ChoiceField(label=_("Tindak lanjut"), choices=FollowUp.choices)
    follow_up_note = forms.CharField(label=_("Catatan"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class GovernanceForm(_Bootstrap, forms.Form):
    year = forms.IntegerField(label=_("Tahun"), min_value=2024, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in GOVERNANCE_INDICATORS:
            self.fields[f"score_{key}"] = forms.TypedChoiceField(
                label=label, required=False, coerce=int, empty_value=None,
                choices=[("", "—"), (4, "4 — baik"), (3, "3 — cukup"), (2, "2 — kurang"), (1, "1 — buruk")])
            self.fields[f"note_{key}"] = forms.CharField(label=_("Catatan"), required=False, max_length=300)
        self._style()


class RatForm(_Bootstrap, forms.Form):
    fiscal_year = forms.IntegerField(label=_("Tahun buku"), min_value=2024, max_value=2100)
    held_on = forms.DateField(label=_("Tanggal RAT"), widget=DATE)
    attendance = forms.IntegerField(label=_("Anggota hadir"), min_value=0, required=False)
    accounts_approved = forms.BooleanField(label=_("Laporan keuangan disahkan"), required=False, initial=True)
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
