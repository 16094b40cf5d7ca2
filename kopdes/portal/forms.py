from django import forms
from django.utils.translation import gettext_lazy as _

from kopdes.core.forms import BootstrapMixin

from .models import Announcement


class LoginForm(BootstrapMixin, forms.Form):
    identifier = forms.CharField(label=_("Nomor HP atau nomor anggota"), max_length=40,
                                 widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "tel",
                                                               "autofocus": True}))
    pin = forms.CharField(label=_("PIN"), max_length=64,
                          widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    k = forms.SlugField(label=_("Kode koperasi"), max_length=80, required=False,
                        help_text=_("Tertulis di slip aktivasi; hanya perlu jika masuk dengan nomor anggota."))


class ActivationForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Kode aktivasi (dari slip)"), max_length=12,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}))
    identifier = forms.CharField(label=_("Nomor anggota atau nomor HP"), max_length=40)
    pin = forms.CharField(label=_("PIN baru (min. 6)"), max_length=64,
                          widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "inputmode": "numeric"}))
    pin2 = forms.CharField(label=_("Ulangi PIN baru"), max_length=64,
                           widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "inputmode": "numeric"}))


class ChangePinForm(BootstrapMixin, forms.Form):
    old = forms.CharField(label=_("PIN lama"), max_length=64, widget=forms.PasswordInput)
    pin = forms.CharField(label=_("PIN baru (min. 6)"), max_length=64, widget=forms.PasswordInput)
    pin2 = forms.CharField(label=_("Ulangi PIN baru"), max_length=64, widget=forms.PasswordInput)


class AnnouncementForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["kind", "title", "body", "event_date", "published_on", "expires_on", "pinned"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 5}),
            "event_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
