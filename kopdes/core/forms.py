from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .errors import bilingual
from .models import Bylaws, Koperasi, Role, User
from .services import password_problems
from .units import Unit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BootstrapMixin:
    """Adds Bootstrap classes to every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.Select):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")


class KoperasiProfileForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Koperasi
        fields = [
            "name", "status", "formation_model", "founded_on", "badan_hukum_number", "badan_hukum_date",
            "akta_number", "akta_date", "notary_name", "nib", "npwp", "address", "postal_code", "phone",
            "email", "bank_name", "bank_account", "fiscal_year_start_month",
        ]
        widgets = {
            "founded_on": DateInput(),
            "badan_hukum_date": DateInput(),
            "akta_date": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
        }


class NewKoperasiForm(BootstrapMixin, forms.Form):
    region = forms.CharField(label=_("Desa/kelurahan (kode Kemendagri)"), max_length=13)
    name = forms.CharField(label=_("Nama koperasi"), max_length=200, required=False,
                           help_text=_("Kosongkan untuk nama baku: Koperasi Desa Merah Putih <desa>"))
    formation_model = forms.ChoiceField(label=_("Model pembentukan"), choices=Koperasi.FormationModel.choices)


class BylawsForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Bylaws
        fields = [
            "effective_date", "simpanan_pokok", "simpanan_wajib_monthly", "shu_cadangan", "shu_jasa_modal",
            "shu_jasa_usaha", "shu_pengurus", "shu_karyawan", "shu_pendidikan", "shu_sosial", "shu_pembangunan",
            "shu_usaha_denda", "shu_usaha_pemulihan", "decided_by",
        ]
        widgets = {"effective_date": DateInput()}


COOP_ROLE_CHOICES = [
    (r.value, r.label)
    for r in (Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA, Role.MANAJER, Role.OPERATOR, Role.PENGAWAS)
]


class UserRoleForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("Nama pengguna"), max_length=150)
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    phone = forms.CharField(label=_("Nomor HP"), max_length=20, required=False)
    password = forms.CharField(label=_("Kata sandi awal"), widget=forms.PasswordInput)
    role = forms.ChoiceField(label=_("Peran"), choices=COOP_ROLE_CHOICES)
    unit = forms.ChoiceField(label=_("Unit (untuk operator)"), choices=[("", "—"), *Unit.choices], required=False)
    title = forms.CharField(label=_("Jabatan"), max_length=80, required=False)
    start_date = forms.DateField(label=_("Masa jabatan mulai"), widget=DateInput())
    end_date = forms.DateField(label=_("Masa jabatan berakhir"), widget=DateInput(), required=False)

    def clean_password(self):
        """Django's password validators, compared with the new user's name and phone; both languages."""
        password = self.cleaned_data["password"]
        cd = self.cleaned_data
        candidate = User(username=cd.get("username", ""), full_name=cd.get("full_name", ""), phone=cd.get("phone"))
        problems = password_problems(password, candidate)
        if problems:
            raise forms.ValidationError([bilingual(i, e) for i, e in problems], code="weak_password")
        return password


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The own-password page: Django's form, with the validators' messages in Indonesian and English. The old
    password is checked under the account's lock-out (:mod:`kopdes.core.throttle`), like every other door."""

    def clean_old_password(self):
        from . import throttle
        from .forms_auth import _locked_message

        try:
            attempt = throttle.begin(key=throttle.account_key(self.user))
        except throttle.Locked as exc:
            raise forms.ValidationError(_locked_message(exc.minutes), code="locked") from exc
        try:
            old = super().clean_old_password()
        except forms.ValidationError:
            attempt.failed()
            raise
        attempt.succeeded()
        return old

    def validate_password_for_user(self, user, password_field_name="new_password2"):
        password = self.cleaned_data.get(password_field_name)
        if password:
            problems = password_problems(password, user)
            if problems:
                self.add_error(password_field_name, [bilingual(i, e) for i, e in problems])
