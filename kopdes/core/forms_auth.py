from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Username or phone number; a clear bilingual error."""

    username = forms.CharField(label=_("Nama pengguna atau nomor HP"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "class": "form-control",
                                                             "autocomplete": "username"}))
    password = forms.CharField(label=_("Kata sandi"), strip=False,
                               widget=forms.PasswordInput(attrs={"class": "form-control",
                                                                 "autocomplete": "current-password"}))
    error_messages = {
        "invalid_login": _("Nama pengguna/nomor HP atau kata sandi salah. / Wrong username/phone or password."),
        "inactive": _("Akun ini dinonaktifkan. / This account is disabled."),
    }
