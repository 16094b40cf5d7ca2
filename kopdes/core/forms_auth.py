from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import throttle
from .middleware import client_ip


def _locked_message(minutes: int) -> str:
    return (f"Terlalu banyak percobaan yang salah. Coba lagi dalam {minutes} menit, atau minta ketua/sekretaris "
            f"koperasi atau admin Dinas mengatur ulang kata sandi. / Too many failed attempts. Try again in "
            f"{minutes} minutes, or ask your board or the Dinas admin to reset the password.")


class LoginForm(AuthenticationForm):
    """Username or phone number; a clear bilingual error; lock-out after repeated wrong passwords."""

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

    def clean(self):
        ident = self.cleaned_data.get("username") or ""
        if not ident:
            return super().clean()
        ip = client_ip(self.request) if self.request is not None else None
        try:
            attempt = throttle.begin(ident, ip)
        except throttle.Locked as exc:
            raise forms.ValidationError(_locked_message(exc.minutes), code="locked") from exc
        try:
            cleaned = super().clean()
        except forms.ValidationError as exc:
            if any(getattr(e, "code", None) == "invalid_login" for e in exc.error_list):
                left, minutes = attempt.failed()
                if minutes:
                    raise forms.ValidationError(_locked_message(minutes), code="locked") from exc
                raise forms.ValidationError(
                    f"{exc.error_list[0].message} Sisa percobaan: {left}. / Attempts left: {left}.",
                    code="invalid_login") from exc
            attempt.succeeded()  # the right password of a disabled account: not a guess
            raise
        attempt.succeeded()
        return cleaned
