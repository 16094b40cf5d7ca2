from django import forms
from django.utils.translation import gettext_lazy as _

from kopdes.core.forms import BootstrapMixin

from .models import ALL_SCOPES, AREAS


def scope_choices():
    out = []
    for s in ALL_SCOPES:
        area, action = s.split(":")
        verb = _("baca") if action == "read" else _("tulis")
        out.append((s, f"{AREAS[area]} — {verb} ({s})"))
    return out


class PersonalTokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Nama token"), max_length=80, help_text=_("mis. Aplikasi bank, skrip laporan"))
    scopes = forms.MultipleChoiceField(label=_("Cakupan"), choices=scope_choices,
                                       widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    days = forms.IntegerField(label=_("Berlaku (hari)"), min_value=1, max_value=730, initial=90)
