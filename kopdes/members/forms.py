from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kopdes.core.forms import BootstrapMixin, DateInput

from .models import CROPS, Member, Occupation


class MemberForm(BootstrapMixin, forms.Form):
    nik = forms.CharField(label=_("NIK"), max_length=16, min_length=16,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    name = forms.CharField(label=_("Nama lengkap (sesuai KTP)"), max_length=120)
    birth_place = forms.CharField(label=_("Tempat lahir"), max_length=80, required=False)
    birth_date = forms.DateField(label=_("Tanggal lahir"), required=False, widget=DateInput(),
                                 help_text=_("Kosongkan: diambil dari NIK"))
    sex = forms.ChoiceField(label=_("Jenis kelamin"), required=False,
                            choices=[("", "— dari NIK —"), *Member.Sex.choices])
    kk = forms.CharField(label=_("Nomor KK"), max_length=16, required=False,
                         widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    address = forms.CharField(label=_("Alamat (jalan/gang)"), max_length=200, required=False)
    rt = forms.CharField(label=_("RT"), max_length=3, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    rw = forms.CharField(label=_("RW"), max_length=3, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    dusun = forms.CharField(label=_("Dusun"), max_length=80, required=False)
    phone = forms.CharField(label=_("Nomor HP"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    occupation = forms.ChoiceField(label=_("Pekerjaan"), choices=Occupation.choices)
    land_area_ha = forms.DecimalField(label=_("Luas lahan (ha)"), required=False, min_value=0, max_digits=9,
                                      decimal_places=3)
    crops = forms.MultipleChoiceField(label=_("Komoditas"), choices=CROPS, required=False,
                                      widget=forms.SelectMultiple(attrs={"size": 5}))
    farmer_group = forms.CharField(label=_("Kelompok tani"), max_length=120, required=False)
    heir_name = forms.CharField(label=_("Nama ahli waris"), max_length=120, required=False)
    heir_relation = forms.CharField(label=_("Hubungan ahli waris"), max_length=40, required=False)
    heir_nik = forms.CharField(label=_("NIK ahli waris"), max_length=16, required=False)
    heir_phone = forms.CharField(label=_("HP ahli waris"), max_length=20, required=False)
    wajib_autodebit = forms.BooleanField(label=_("Setuju simpanan wajib didebit otomatis dari sukarela"),
                                         required=False)
    registered_on = forms.DateField(label=_("Tanggal daftar"), required=False, widget=DateInput())
    photo = forms.ImageField(label=_("Foto (opsional)"), required=False)

    def clean_photo(self):
        f = self.cleaned_data.get("photo")
        if f and f.size > 2 * 1024 * 1024:
            raise forms.ValidationError("Foto maksimal 2 MB. / Photo at most 2 MB.")
        return f


class ExitForm(BootstrapMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Alasan"), choices=[(s, label) for s, label in Member.Status.choices
                                                        if s in Member.EXIT_STATUSES])
    date = forms.DateField(label=_("Tanggal"), widget=DateInput())
    note = forms.CharField(label=_("Keterangan"), max_length=200, required=False)
    payee_name = forms.CharField(label=_("Penerima pengembalian (ahli waris jika meninggal)"), max_length=120,
                                 required=False)
    payee_relation = forms.CharField(label=_("Hubungan penerima"), max_length=40, required=False)
    payee_nik = forms.CharField(label=_("NIK penerima"), max_length=16, required=False)


class PayoutForm(BootstrapMixin, forms.Form):
    method = forms.ChoiceField(label=_("Cara bayar"), choices=[("tunai", _("Tunai")), ("transfer", _("Transfer bank")),
                                                            ("qris", _("QRIS"))])
    reference = forms.CharField(label=_("Referensi transfer/QRIS"), max_length=80, required=False)
    date = forms.DateField(label=_("Tanggal"), widget=DateInput())


class ImportForm(BootstrapMixin, forms.Form):
    KIND_CHOICES = [("anggota", _("Data anggota")), ("saldo", _("Saldo awal simpanan"))]
    kind = forms.ChoiceField(label=_("Jenis data"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("Berkas .xlsx atau .csv"))
    date = forms.DateField(label=_("Tanggal saldo awal (untuk saldo)"), required=False, widget=DateInput())
    dry_run = forms.BooleanField(label=_("Hanya periksa (tidak disimpan)"), required=False)
