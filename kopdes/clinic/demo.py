"""Demo clinic: ~150 patients (members and non-members), a few hundred visits over two months with vitals,
SOAP, ICD-10 diagnoses, procedures, payments, e-prescriptions dispensed at the apotek. Idempotent."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from decimal import Decimal

from kopdes.core import audit
from kopdes.core.errors import DomainError
from kopdes.core.identity import make_nik

from . import services
from .models import Patient, Tariff

CASES = [
    # code, complaint, S, O, plan, drugs (generic names), share
    ("J06.9", "batuk pilek, demam", "Batuk, pilek, demam 2 hari", "Faring hiperemis, T 37,9", "Simptomatik, banyak minum",
     ["Parasetamol", "Ambroksol"], 22),
    ("I10", "pusing, tengkuk berat", "Pusing, tengkuk berat", "TD 160/95", "Amlodipin, kurangi garam",
     ["Amlodipin"], 14),
    ("K29.7", "nyeri ulu hati", "Nyeri ulu hati, mual", "Nyeri tekan epigastrium", "Antasida, makan teratur",
     ["Antasida DOEN", "Omeprazol"], 10),
    ("M79.1", "pegal-pegal", "Nyeri otot setelah panen", "Nyeri tekan otot punggung", "Analgetik, istirahat",
     ["Parasetamol"], 9),
    ("A09", "mencret", "BAB cair 5x sehari", "Turgor baik, bising usus meningkat", "Oralit, zinc",
     ["Oralit", "Zinc"], 8),
    ("E11.9", "kontrol gula", "Kontrol DM", "GDS 210 mg/dl", "Metformin, diet",
     ["Metformin"], 7),
    ("L30.9", "gatal-gatal", "Gatal di lengan", "Eritema, papul", "Salep, antihistamin",
     ["Hidrokortison", "Setirizin"], 6),
    ("M10.9", "nyeri sendi jempol kaki", "Nyeri sendi kaki", "Sendi MTP bengkak", "Alopurinol setelah serangan reda",
     ["Natrium diklofenak"], 5),
    ("J45.9", "sesak napas", "Sesak, mengi", "Wheezing", "Salbutamol",
     ["Salbutamol"], 4),
    ("T14.1", "luka terkena parang", "Luka di tungkai", "Vulnus laceratum 3 cm", "Rawat luka, jahit",
     ["Amoksisilin", "Parasetamol"], 5),
    ("B35.4", "kurap", "Bercak gatal bersisik", "Lesi anular", "Antijamur topikal",
     ["Mikonazol"], 3),
    ("R50.9", "demam", "Demam 1 hari", "T 38,5", "Antipiretik, kontrol bila >3 hari",
     ["Parasetamol"], 4),
    ("Z00.0", "cek kesehatan", "Pemeriksaan rutin", "Dalam batas normal", "Edukasi pola hidup sehat", [], 3),
]
SIGNA = {"tablet": "3 x 1 tablet sesudah makan", "kapsul": "3 x 1 kapsul sesudah makan",
         "kaplet": "2 x 1 kaplet sesudah makan", "botol": "3 x 1 sendok takar", "tube": "oles 2 x sehari",
         "sachet": "1 sachet tiap BAB cair"}


def build(ctx) -> None:
    k = ctx.koperasi
    if Patient.objects.filter(koperasi=k).exists():
        ctx.say("klinik: sudah ada, dilewati")
        return
    rng, today = ctx.rng, ctx.today
    doctor, apoteker = ctx.users.get("klinik"), ctx.users.get("apoteker")
    from kopdes.members.models import Member
    from kopdes.pharmacy import services as pharmacy
    from kopdes.pharmacy.models import Drug

    with audit.bulk_mode():
        st = services.settings_for(k)
        st.clinic_name = "Klinik Desa Merah Putih Surya Adi"
        st.puskesmas_name = "Puskesmas Mesuji"
        st.address = k.address
        st.save()
        services.ensure_default_tariffs(k)
        patients = []
        for m in Member.objects.filter(koperasi=k).order_by("seq")[:60]:
            patients.append(services.register_patient(
                k, name=m.name, nik=m.nik, birth_date=m.birth_date, sex=m.sex, phone=m.phone, address=m.address,
                member_id=m.pk if m.status == "aktif" else None,
                allergies=rng.choice(["", "", "", "", "Amoksisilin", "Sulfa"])))
        first = ["Siti", "Sri", "Budi", "Agus", "Wayan", "Made", "Nur", "Dewi", "Joko", "Rina", "Eko", "Ani", "Putu",
                 "Yanti", "Slamet", "Tuti", "Hendra", "Lastri", "Bambang", "Sumi"]
        last = ["Rahayu", "Santoso", "Lestari", "Wijaya", "Susanti", "Pratama", "Hidayat", "Suparno", "Marlina",
                "Saputra"]
        for i in range(90):
            sex = rng.choice(["L", "P"])
            birth = today - dt.timedelta(days=rng.randint(200, 75 * 365))
            name = f"{rng.choice(first)} {rng.choice(last)}"
            nik = "" if birth > today - dt.timedelta(days=5 * 365) else make_nik("16.02.04", birth, sex, 7000 + i)
            patients.append(services.register_patient(
                k, name=name, nik=nik, birth_date=birth, sex=sex, address=f"Dusun {rng.randint(1, 5)}",
                bpjs_number=f"000{rng.randint(10**9, 10**10 - 1)}" if rng.random() < 0.6 else ""))
        drugs = {}
        for d in Drug.objects.filter(koperasi=k, active=True).order_by("code"):
            drugs.setdefault(d.generic_name, d)
        weights = [c[-1] for c in CASES]
        luka = Tariff.objects.filter(koperasi=k, code="JAHIT").first()
        gds = Tariff.objects.filter(koperasi=k, code="GDS").first()
        n_visits = 0
        for back in range(60, -1, -1):
            date = today - dt.timedelta(days=back)
            if date.weekday() == 6:
                continue
            for _v in range(rng.randint(3, 7)):
                p = rng.choice(patients)
                code, complaint, s, o, plan, names, _w = rng.choices(CASES, weights=weights)[0]
                v = services.register_visit(k, patient=p, complaint=complaint, date=date, by=doctor)
                services.record_triage(v, systolic=rng.randint(105, 165), diastolic=rng.randint(65, 98),
                                       temperature=Decimal(rng.randint(360, 389)) / 10, weight=rng.randint(40, 80),
                                       height=rng.randint(145, 175), pulse=rng.randint(64, 100))
                services.record_soap(v, subjective=s, objective=o, assessment=code, plan=plan, by=doctor)
                services.add_diagnosis(v, code, primary=True)
                if code == "T14.1" and luka:
                    services.add_procedure(v, luka)
                if code == "E11.9" and gds:
                    services.add_procedure(v, gds)
                items = [{"drug": drugs[n], "qty": 10 if drugs[n].base_uom in ("tablet", "kapsul", "kaplet") else 1,
                          "signa": SIGNA.get(drugs[n].base_uom, "sesuai petunjuk")} for n in names if n in drugs]
                rx = services.prescribe(v, items, by=doctor) if items else None
                if code == "J45.9" and rng.random() < 0.3:
                    services.create_referral(v, destination="Puskesmas Mesuji", reason="Sesak berulang, perlu "
                                             "spirometri", summary="Salbutamol diberikan", by=doctor)
                services.finish_visit(v)
                if back > 0 or rng.random() < 0.7:
                    services.pay_visit(v, method=rng.choice(["tunai", "tunai", "qris"]), by=doctor, date=date)
                    if rx is not None and apoteker is not None:
                        with contextlib.suppress(DomainError):  # out of stock: the prescription stays open
                            pharmacy.dispense(k, client_id=uuid.uuid4().hex, by=apoteker, prescription=rx, date=date,
                                              lines=[{"drug": it.drug, "qty": it.qty, "item_id": it.pk}
                                                     for it in rx.items.all()],
                                              counselling_note="Obat diminum sesuai aturan; antibiotik dihabiskan.")
                n_visits += 1
    audit.record("demo", koperasi_id=k.pk, summary=f"Demo klinik: {len(patients)} pasien, {n_visits} kunjungan")
    ctx.say(f"klinik: {len(patients)} pasien, {n_visits} kunjungan")
