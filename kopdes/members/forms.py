from __future__ import annotations

from django import forms

from kopdes.core.forms import BootstrapMixin, DateInput

from .models import CROPS, Member, Occupation


class MemberForm(BootstrapMixin, forms.Form):
    nik = forms.CharField(label="NIK", max_length=16, min_length=16,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    name = forms.CharField(label="Nama lengkap (sesuai KTP)", max_length=120)
    birth_place = forms.CharField(label="Tempat lahir", max_length=80, required=False)
    birth_date = forms.DateField(label="Tanggal lahir", required=False, widget=DateInput(),
                                 help_text="Kosongkan: diambil dari NIK")
    sex = forms.ChoiceField(label="Jenis kelamin", required=False,
                            choices=[("", "— dari NIK —"), *Member.Sex.choices])
    kk = forms.CharField(label="Nomor KK", max_length=16, required=False,
                         widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    address = forms.CharField(label="Alamat (jalan/gang)", max_length=200, required=False)
    rt = forms.CharField(label="RT", max_length=3, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    rw = forms.CharField(label="RW", max_length=3, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    dusun = forms.CharField(label="Dusun", max_length=80, required=False)
    phone = forms.CharField(label="Nomor HP", max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    occupation = forms.ChoiceField(label="Pekerjaan", choices=Occupation.choices)
    land_area_ha = forms.DecimalField(label="Luas lahan (ha)", required=False, min_value=0, max_digits=9,
                                      decimal_places=3)
    crops = forms.MultipleChoiceField(label="Komoditas", choices=CROPS, required=False,
                                      widget=forms.SelectMultiple(attrs={"size": 5}))
    farmer_group = forms.CharField(label="Kelompok tani", max_length=120, required=False)
    heir_name = forms.CharField(label="Nama ahli waris", max_length=120, required=False)
    heir_relation = forms.CharField(label="Hubungan ahli waris", max_length=40, required=False)
    heir_nik = forms.CharField(label="NIK ahli waris", max_length=16, required=False)
    heir_phone = forms.CharField(label="HP ahli waris", max_length=20, required=False)
    wajib_autodebit = forms.BooleanField(label="Setuju simpanan wajib didebit otomatis dari sukarela",
                                         required=False)
    registered_on = forms.DateField(label="Tanggal daftar", required=False, widget=DateInput())
    photo = forms.ImageField(label="Foto (opsional)", required=False)

    def clean_photo(self):
        f = self.cleaned_data.get("photo")
        if f and f.size > 2 * 1024 * 1024:
            raise forms.ValidationError("Foto maksimal 2 MB. / Photo at most 2 MB.")
        return f


class ExitForm(BootstrapMixin, forms.Form):
    reason = forms.ChoiceField(label="Alasan", choices=[(s, label) for s, label in Member.Status.choices
                                                        if s in Member.EXIT_STATUSES])
    date = forms.DateField(label="Tanggal", widget=DateInput())
    note = forms.CharField(label="Keterangan", max_length=200, required=False)
    payee_name = forms.CharField(label="Penerima pengembalian (ahli waris jika meninggal)", max_length=120,
                                 required=False)
    payee_relation = forms.CharField(label="Hubungan penerima", max_length=40, required=False)
    payee_nik = forms.CharField(label="NIK penerima", max_length=16, required=False)


class PayoutForm(BootstrapMixin, forms.Form):
    method = forms.ChoiceField(label="Cara bayar", choices=[("tunai", "Tunai"), ("transfer", "Transfer bank"),
                                                            ("qris", "QRIS")])
    reference = forms.CharField(label="Referensi transfer/QRIS", max_length=80, required=False)
    date = forms.DateField(label="Tanggal", widget=DateInput())


class ImportForm(BootstrapMixin, forms.Form):
    KIND_CHOICES = [("anggota", "Data anggota"), ("saldo", "Saldo awal simpanan")]
    kind = forms.ChoiceField(label="Jenis data", choices=KIND_CHOICES)
    file = forms.FileField(label="Berkas .xlsx atau .csv")
    date = forms.DateField(label="Tanggal saldo awal (untuk saldo)", required=False, widget=DateInput())
    dry_run = forms.BooleanField(label="Hanya periksa (tidak disimpan)", required=False)
