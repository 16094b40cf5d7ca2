from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ALL_SCOPES, AREAS


def scope_choices():
    out = []
    for s in ALL_SCOPES:
        area, action = s.split(":")
        out.append((s, f"{AREAS[area]} — {'baca' if action == 'read' else 'tulis'} ({s})"))
    return out


class PersonalTokenForm(forms.Form):
    name = forms.CharField(label=_("Nama token"), max_length=80, help_text=_("mis. Aplikasi bank, skrip laporan"))
    scopes = forms.MultipleChoiceField(label=_("Cakupan"), choices=scope_choices,
                                       widget=forms.CheckboxSelectMultiple)
    days = forms.IntegerField(label=_("Berlaku (hari)"), min_value=1, max_value=730, initial=90)


class DeviceTokenForm(forms.Form):
    name = forms.CharField(label=_("Nama perangkat"), max_length=80, help_text=_("mis. Sensor cold room 1"))
    device_ref = forms.CharField(label=_("Kode perangkat"), max_length=80, required=False)
    days = forms.IntegerField(label=_("Berlaku (hari, kosong = tanpa batas)"), min_value=1, max_value=730,
                              required=False)
