"""Generate the templated half of the intent training set: ``bot/data/intent_generated.toml``.

The hand-written half (``bot/data/intent_examples.toml``) carries most of the real phrasing; this
adds variety the model should not have to learn from a few sentences: other documents, amounts,
durations, relatives, places, phone numbers and links, keyboard noise, chat spelling. It is seeded,
so running it again writes the same file::

    python -m bot.tagging.intent_generator

Both files are read by :mod:`bot.tagging.intent_training`. Neither may share a message with the
frozen evaluation set (``tests/data/intent_eval.jsonl``, a test checks it): a template that happens
to produce one of its messages ("ksksksks", "zzzzz") has that line dropped here, which is the only
use this script makes of the evaluation set. Lines the hand-written file already has are dropped
too.
"""

from __future__ import annotations

import random
import string
import sys
from collections.abc import Callable

from bot.tagging.intent_training import (
    DATA,
    EVALUATION,
    load_evaluation,
    load_examples,
    message_key,
)

OUTPUT = DATA / "intent_generated.toml"
HAND_WRITTEN = DATA / "intent_examples.toml"
SEED = 17
PER_CLASS = 190

KECAMATAN = [
    "Aluh-Aluh", "Aranio", "Astambul", "Beruntung Baru", "Cintapuri Darussalam", "Gambut",
    "Karang Intan", "Kertak Hanyar", "Martapura", "Martapura Barat", "Martapura Timur",
    "Mataraman", "Paramasan", "Pengaron", "Sambung Makmur", "Simpang Empat", "Sungai Pinang",
    "Sungai Tabuk", "Tatah Makmur", "Telaga Bauntung",
]  # fmt: skip

# Ideas: (Indonesian, informal, Banjarese, English) renderings of one proposal.
PROPOSALS = [
    (
        "penambahan loket pelayanan akta di kecamatan",
        "loket akta di kecamatan ditambah",
        "loket akta di kecamatan ditambahi",
        "more counters for birth certificates at the sub-district office",
    ),
    (
        "pelatihan pengolahan hasil kebun bagi petani",
        "pelatihan ngolah hasil kebun buat petani",
        "pelatihan maolah hasil kebun gasan petani",
        "training for farmers to process their harvest",
    ),
    (
        "taman kota dengan jalur lari dan bangku",
        "taman kota ada jalur lari sama bangku",
        "taman kota nang ada jalur bukah wan bangku",
        "a town park with a running track and benches",
    ),
    (
        "tempat penampungan sampah terpilah di setiap dusun",
        "tps pilah di tiap dusun",
        "tampat sampah dipilah di tiap kampung",
        "sorted rubbish collection points in every hamlet",
    ),
    (
        "pos kesehatan desa dengan bidan yang siaga",
        "poskesdes yg bidannya standby",
        "pos kesehatan desa nang ada bidannya tarus",
        "a village health post with a midwife on call",
    ),
    (
        "beasiswa bagi siswa berprestasi dari keluarga kurang mampu",
        "beasiswa buat anak pinter yg ga mampu",
        "baasiswa gasan kakanakan pintar nang kada mampu",
        "scholarships for bright children from poor families",
    ),
    (
        "promosi kerajinan purun di pameran nasional",
        "kerajinan purun dipromosiin di pameran",
        "kerajinan purun dipamerakan di luar daerah",
        "promoting purun crafts at national fairs",
    ),
    (
        "pengaspalan jalan poros desa",
        "jalan poros desa diaspal",
        "jalan ganal kampung diaspal",
        "paving the main village road",
    ),
    (
        "lampu penerangan di jalan menuju sekolah",
        "lampu jalan ke arah sekolah",
        "lampu di jalan ka sakolah",
        "street lights on the road to school",
    ),
    (
        "pasar digital untuk produk UMKM desa",
        "marketplace buat produk umkm desa",
        "pasar online gasan barang UMKM kampung",
        "an online market for village small businesses",
    ),
    (
        "penanaman pohon di bantaran sungai",
        "nanem pohon di pinggir sungai",
        "manukar pohon di pinggir sungai",
        "planting trees along the riverbanks",
    ),
    (
        "kelas literasi digital untuk orang tua",
        "kelas melek digital buat ortu",
        "balajar hp gasan urang tuha",
        "digital literacy classes for parents",
    ),
    (
        "layanan antar jemput pasien dari desa terpencil",
        "antar jemput pasien dr desa pelosok",
        "antar jamput urang sakit matan kampung jauh",
        "patient transport from remote villages",
    ),
    (
        "festival budaya Banjar di tepi sungai",
        "festival budaya banjar di pinggir sungai",
        "pesta budaya Banjar di pinggir sungai",
        "a Banjar culture festival by the river",
    ),
    (
        "koperasi simpan pinjam bagi pedagang kecil",
        "koperasi buat pedagang kecil",
        "koperasi gasan padagang halus",
        "a savings and loan cooperative for small traders",
    ),
    (
        "sistem peringatan dini banjir",
        "alarm banjir buat warga",
        "tanda bahaya banjir gasan warga",
        "a flood early warning system",
    ),
    (
        "aplikasi pembayaran retribusi pasar",
        "bayar retribusi pasar pake aplikasi",
        "bayar retribusi pasar lewat hp",
        "an app to pay market fees",
    ),
    (
        "perpustakaan desa dengan akses internet",
        "perpus desa ada internetnya",
        "perpustakaan di kampung nang ada internetnya",
        "a village library with internet access",
    ),
    (
        "pelatihan kerja bagi pemuda putus sekolah",
        "pelatihan kerja buat anak putus sekolah",
        "pelatihan gawian gasan anak nang kada sakolah lagi",
        "job training for school dropouts",
    ),
    (
        "rambu penyeberangan di depan pasar",
        "zebra cross depan pasar",
        "tampat manyubarang di muka pasar",
        "a pedestrian crossing in front of the market",
    ),
    (
        "papan informasi anggaran di kantor desa",
        "papan info anggaran di kantor desa",
        "papan anggaran di kantor desa",
        "a budget notice board at the village office",
    ),
    (
        "pembersihan saluran air sebelum musim hujan",
        "got dibersihin sebelum musim hujan",
        "saluran banyu dibarasihi sabalum musim hujan",
        "cleaning the drains before the rainy season",
    ),
    (
        "paket wisata susur sungai",
        "paket wisata susur sungai pake kelotok",
        "wisata bakelotok di sungai",
        "river cruise tour packages",
    ),
    (
        "pelatihan pemasaran daring bagi pengrajin",
        "belajar jualan online buat pengrajin",
        "balajar bajualan online gasan pengrajin",
        "online marketing training for craftsmen",
    ),
    (
        "layanan konsultasi gizi di posyandu",
        "konsultasi gizi di posyandu",
        "takun gizi di posyandu",
        "nutrition counselling at the health post",
    ),
]
IDEA_FORMS = {
    "id": [
        "Usul {p} di {k}.",
        "Saya mengusulkan {p}.",
        "Mohon diadakan {p} di Kecamatan {k}.",
        "Perlu {p} agar warga terbantu.",
        "Sebaiknya pemerintah daerah menyediakan {p}.",
        "Bagaimana jika ada {p} di {k}?",
        "Kami berharap ada {p}.",
        "Saran: {p}.",
    ],
    "id-informal": [
        "min usul {q} dong",
        "gmn kalo {q} di {k}",
        "kalo bisa {q}, biar warga kebantu",
        "tolong {q} ya min",
        "mending {q}",
        "usul: {q}",
        "{q} di {k} dong min",
    ],
    "bjn": [
        "ulun usul {b}",
        "baiknya {b} di {k}",
        "handak usul, {b}",
        "pian, baiknya {b}",
        "{b}, supaya warga kada susah",
    ],
    "en": [
        "I suggest {e}.",
        "Please consider {e} in {k}.",
        "It would help to have {e}.",
        "Why not start {e}?",
        "The regency could fund {e}.",
        "Idea: {e}.",
    ],
    "mixed": [
        "Usul min, {e} di {k}",
        "Please adain {q}",
        "Saran saya: {e}, biar warga terbantu",
        "Min, how about {q}?",
        "Bikin {e} dong, pasti helpful",
    ],
}

# Complaints: a personal service failure told as the resident's own story.
RELATIVES = {
    "id": ["saya", "anak saya", "ibu saya", "ayah saya", "suami saya", "istri saya", "nenek saya"],
    "id-informal": ["sy", "aku", "anakku", "ibuku", "bapakku", "suamiku", "adekku"],
    "bjn": ["ulun", "anak ulun", "uma ulun", "abah ulun", "laki ulun", "bini ulun", "nini ulun"],
    "en": ["my", "my son's", "my mother's", "my father's", "my wife's", "my grandmother's"],
}
DOCUMENTS = {
    "id": ["KTP elektronik", "kartu keluarga", "akta kelahiran", "surat pindah", "sertifikat tanah",
           "izin usaha", "SIM", "kartu identitas anak", "akta nikah"],
    "id-informal": ["ktp", "kk", "akta lahir", "surat pindah", "sertifikat", "izin usaha", "sim",
                    "kia", "buku nikah"],
    "bjn": ["KTP", "KK", "akta", "surat pindah", "sertifikat tanah", "izin usaha", "SIM"],
    "en": ["ID card", "family card", "birth certificate", "moving letter", "land certificate",
           "business permit", "driving licence"],
}  # fmt: skip
UNITS = {
    "id": [("minggu", 2, 8), ("bulan", 2, 7)],
    "id-informal": [("minggu", 2, 8), ("bulan", 2, 7)],
    "bjn": [("minggu", 2, 8), ("bulan", 2, 7)],
    "en": [("weeks", 2, 8), ("months", 2, 7)],
}
COMPLAINT_FORMS = {
    "id": [
        "{d} {r} sudah {n} {u} belum selesai, setiap ditanya petugas hanya menyuruh menunggu.",
        "Tagihan {util} {r} bulan ini Rp{big}, padahal biasanya hanya Rp{small}.",
        "Bantuan {aid} untuk {r} sudah {n} {u} tidak cair tanpa penjelasan.",
        "{R} ditolak berobat di puskesmas dengan BPJS, padahal iurannya lancar.",
        "{R} terjatuh karena jalan berlubang di {k}, lubangnya dibiarkan sejak lama.",
        "Sampah di depan rumah {r} di {k} sudah {n} minggu tidak diangkut.",
        "Petugas meminta uang Rp{small} agar {d} {r} cepat diproses.",
        "Sudah {n} kali {r} datang ke kantor untuk mengurus {d}, tetapi pejabatnya tidak ada.",
    ],
    "id-informal": [
        "{d} {r} udh {n} {u} ga jadi2, tiap nanya disuruh sabar",
        "tagihan {util} {r} bulan ini {big}, biasanya cuma {small}",
        "bantuan {aid} {r} udh {n} {u} ga cair, ga ada kabar",
        "{r} ditolak di puskesmas pas pake bpjs, disuruh bayar umum",
        "{r} jatoh dr motor gara2 lubang di jalan {k}, ga ditambal2",
        "sampah depan rumah {r} di {k} udh {n} minggu ga diangkut",
        "petugasnya minta duit {small} biar {d} {r} cepet jadi",
        "udh {n}x bolak balik ngurus {d} {r}, pejabatnya ga ada terus",
    ],
    "bjn": [
        "{d} {r} sudah {n} {u} kada tuntung, disuruh bulik tarus",
        "tagihan {util} {r} bulan ini {big}, biasanya {small} haja",
        "bantuan {aid} {r} sudah {n} {u} kada cair",
        "{r} ditolak di puskesmas, BPJS jar kada aktif",
        "{r} tagugur matan motor di jalan balubang di {k}",
        "sampah di muka rumah {r} di {k} sudah {n} minggu kada diangkut",
        "petugas minta duit {small} gasan mamparancak {d} {r}",
    ],
    "en": [
        "{R} {d} has been pending for {n} {u} and nobody explains why.",
        "{R} {util} bill this month is {big} rupiah, usually it is {small}.",
        "{R} {aid} aid has not been paid for {n} {u}.",
        "The health centre refused {r} BPJS card and asked for cash.",
        "Garbage outside {r} house in {k} has not been collected for {n} weeks.",
        "A clerk asked for {small} rupiah to speed up {r} {d}.",
    ],
}
UTILITIES = {
    "id": ["air PDAM", "listrik"], "id-informal": ["pdam", "listrik"],
    "bjn": ["banyu PDAM", "listrik"], "en": ["water", "electricity"],
}  # fmt: skip
AIDS = ["PKH", "BLT", "BPNT", "PIP", "sembako", "KIP"]

QUESTION_FORMS = {
    "id": [
        "Apakah ide saya dengan kode IDE-{c:04d} sudah ditinjau?",
        "Kapan ide saya akan diproses?",
        "Bagaimana cara mengirim ide lewat bot ini?",
        "Apakah bot ini bisa menerima {media}?",
        "Jam berapa kantor {office} di {k} buka?",
        "Apa saja syarat mengurus {d}?",
        "Di mana alamat kantor {office} Kabupaten Banjar?",
        "Kapan {event} dimulai?",
        "Berapa biaya mengurus {d}?",
        "Apakah kantor {office} buka hari Sabtu?",
    ],
    "id-informal": [
        "min ide sy IDE-{c:04d} udh dicek blm?",
        "ide ku kpn diproses ya min",
        "cara kirim ide di bot ini gmn",
        "bisa kirim {media} ga min?",
        "kantor {office} {k} buka jam brp?",
        "ngurus {d} syaratnya apa aja?",
        "kantor {office} dmn ya alamatnya",
        "{event} kpn mulai min?",
        "ngurus {d} bayar brp?",
        "{office} buka sabtu ga?",
    ],
    "bjn": [
        "usulan ulun IDE-{c:04d} sudah dibaca lah?",
        "pabila usulan ulun diproses?",
        "kayapa mangirim usulan di bot ni?",
        "kawa kah mangirim {media}?",
        "kantor {office} di {k} buka jam barapa?",
        "maurus {d} napa haja syaratnya?",
        "kantor {office} di mana?",
        "pabila {event} dimulai?",
        "maurus {d} bayar barapa?",
    ],
    "en": [
        "Has my idea IDE-{c:04d} been reviewed?",
        "When will my idea be processed?",
        "How do I send an idea with this bot?",
        "Can this bot accept {media}?",
        "What time does the {office} office in {k} open?",
        "What do I need to get a {d}?",
        "Where is the {office} office?",
        "When does {event} start?",
        "How much does a {d} cost?",
    ],
}
OFFICES = {
    "id": ["Disdukcapil", "kecamatan", "Dinas Sosial", "Samsat", "PDAM", "kelurahan"],
    "id-informal": ["dukcapil", "kecamatan", "dinsos", "samsat", "pdam", "kelurahan"],
    "bjn": ["dukcapil", "kacamatan", "dinsos", "samsat", "PDAM"],
    "en": ["population registry", "sub-district", "social affairs", "vehicle tax", "water company"],
}  # fmt: skip
EVENTS = {
    "id": ["pendaftaran sekolah", "penyaluran bantuan", "pembayaran PBB", "seleksi PPPK"],
    "id-informal": ["ppdb", "bansos", "bayar pbb", "tes pppk"],
    "bjn": ["pandaftaran sakolah", "bantuan", "bayar PBB"],
    "en": ["school enrolment", "the aid distribution", "the land tax payment period"],
}
MEDIA = {
    "id": ["foto", "video", "pesan suara", "dokumen PDF"], "id-informal": ["foto", "video", "vn"],
    "bjn": ["foto", "video"], "en": ["photos", "videos", "voice notes"],
}  # fmt: skip

SMALL_TALK = {
    "id": (["Terima kasih", "Terima kasih banyak", "Baik, terima kasih", "Selamat pagi",
            "Selamat siang", "Selamat sore", "Selamat malam", "Assalamualaikum", "Salam",
            "Mohon maaf", "Sukses selalu"], ["", " Bapak", " Ibu", " Admin", " semuanya"]),
    "id-informal": (["makasih", "makasih banyak", "mksh", "trimakasih", "oke", "siap", "sip",
                     "halo", "hai", "pagi", "met malem", "tes", "mantap", "oke deh"],
                    ["", " min", " kak", " gan", " bos", " ya min"]),
    "bjn": (["tarima kasih", "makasih", "inggih", "salamat pagi", "salamat sore", "assalamualaikum",
             "oke ai", "nyaman ai", "bagus ai"], ["", " pian", " lah", " banar"]),
    "en": (["Thanks", "Thank you", "Thanks a bunch", "Hello", "Hi", "Good morning", "Good evening",
            "OK", "Cool", "Testing"], ["", " admin", " team", " guys", " everyone"]),
}  # fmt: skip
EMOJI = ["", "", "", " 🙏", " 👍", " 😊", " 🙏🙏", " ❤️", "!", "!!"]

SPAM_PRODUCTS = {
    "id": ["pinjaman dana cepat", "situs slot terpercaya", "obat herbal ampuh", "jasa followers",
           "investasi emas online", "lowongan kerja online", "paket kuota murah", "arisan online",
           "produk kecantikan", "jasa pembuatan dokumen kilat"],
    "en": ["fast cash loans", "online casino", "miracle diet pills", "followers and likes",
           "crypto investment", "work from home jobs", "cheap data packages",
           "luxury replica bags"],
}  # fmt: skip
SPAM_PITCH = {
    "id": ["bonus {pct}% untuk member baru", "untung {amt} per hari", "cair dalam {n} menit",
           "diskon {pct}% hari ini saja", "dijamin 100% terpercaya", "tanpa modal, tanpa jaminan"],
    "en": ["{pct}% welcome bonus", "earn {amt} a day", "approved in {n} minutes",
           "{pct}% off today only", "guaranteed results", "no deposit needed"],
}  # fmt: skip
SPAM_CALL = {
    "id": ["Hubungi WA {phone}", "Klik {link}", "Daftar di {link}", "Chat admin {phone}",
           "Info lengkap: {link}", "Minat? hubungi {phone}"],
    "en": ["Call {phone}", "Click {link}", "Sign up at {link}", "WhatsApp {phone}",
           "Details: {link}"],
}  # fmt: skip
TLDS = ["xyz", "site", "link", "com", "net", "shop", "online", "info"]

INSULTS = {
    "id": ["bodoh", "tolol", "goblok", "tidak berguna", "tidak becus", "bego", "dungu", "sampah",
           "pembohong", "maling", "brengsek", "bangsat"],
    "bjn": ["bungul", "pambungul", "kada baguna", "pambohong", "pamalar"],
    "en": ["stupid", "useless", "idiotic", "pathetic", "worthless", "corrupt", "dumb"],
}  # fmt: skip
TARGETS = {
    "id": ["admin", "bot ini", "pegawai pemkab", "pejabat", "kalian semua", "petugasnya",
           "pemerintah"],
    "bjn": ["admin", "bot ni", "bubuhan pegawai", "pian", "ikam"],
    "en": ["admin", "this bot", "you people", "the officials", "the government", "your team"],
}  # fmt: skip
ABUSE_FORMS = {
    "id": ["{t} {i}", "dasar {t} {i}", "{t} {i} banget", "{i} semua {t}", "{t} {i}, {i2} pula",
           "dasar {i}!", "{t} memang {i}"],
    "bjn": ["{t} {i} banar", "dasar {i}", "{t} ni {i}", "{i} samunyaan {t}"],
    "en": ["{t} is {i}", "you are {i}", "{i} {t}", "what a {i} bot", "{t}, so {i} and {i2}"],
}  # fmt: skip

KEY_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"]


def _chat(text: str, rng: random.Random) -> str:
    """Informal spelling now and then: lower case, no final full stop, a stretched letter."""
    if rng.random() < 0.5:
        text = text.lower().rstrip(".")
    if rng.random() < 0.15:
        index = rng.randrange(len(text))
        if text[index].isalpha():
            text = text[: index + 1] + text[index] * rng.randint(1, 3) + text[index + 1 :]
    return text


def ideas(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(list(IDEA_FORMS))
        formal, informal, banjar, english = rng.choice(PROPOSALS)
        text = rng.choice(IDEA_FORMS[language]).format(
            p=formal, q=informal, b=banjar, e=english, k=rng.choice(KECAMATAN)
        )
        found.append((language, text[0].upper() + text[1:] if language in ("id", "en") else text))
    return found


def complaints(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(list(COMPLAINT_FORMS))
        unit, low, high = rng.choice(UNITS[language])
        relative = rng.choice(RELATIVES[language])
        small = rng.choice([50, 75, 90, 100, 150, 200, 300])
        big = small * rng.choice([5, 8, 10, 12, 15])
        money = {
            "id": (f"{small}.000", f"{big}.000"),
            "en": (f"{small},000", f"{big * 1000:,}"),
        }.get(language, (f"{small}rb", f"{big / 1000:g} juta" if big >= 1000 else f"{big}rb"))
        text = rng.choice(COMPLAINT_FORMS[language]).format(
            d=rng.choice(DOCUMENTS[language]),
            r=relative,
            R=relative[0].upper() + relative[1:],
            n=rng.randint(low, high),
            u=unit,
            util=rng.choice(UTILITIES[language]),
            aid=rng.choice(AIDS),
            k=rng.choice(KECAMATAN),
            small=money[0],
            big=money[1],
        )
        found.append((language, _chat(text, rng) if language != "en" else text))
    return found


def questions(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(list(QUESTION_FORMS))
        text = rng.choice(QUESTION_FORMS[language]).format(
            c=rng.randint(1, 999),
            media=rng.choice(MEDIA[language]),
            office=rng.choice(OFFICES[language]),
            k=rng.choice(KECAMATAN),
            d=rng.choice(DOCUMENTS[language]),
            event=rng.choice(EVENTS[language]),
        )
        found.append((language, _chat(text, rng) if language != "en" else text))
    return found


def small_talk(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(list(SMALL_TALK))
        words, addresses = SMALL_TALK[language]
        text = rng.choice(words) + rng.choice(addresses)
        if rng.random() < 0.25:
            text += ", " + rng.choice(words).lower()
        found.append((language, _chat(text + rng.choice(EMOJI), rng)))
    return found


def _phone(rng: random.Random) -> str:
    digits = "".join(rng.choice(string.digits) for _ in range(8))
    prefix = rng.choice(["0812", "0813", "0821", "0852", "0857", "0878", "+62812", "62813"])
    return rng.choice([prefix + digits, f"{prefix}-{digits[:4]}-{digits[4:]}"])


def _link(rng: random.Random) -> str:
    name = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
    return rng.choice(
        [f"{name}{rng.randint(1, 99)}.{rng.choice(TLDS)}", f"bit.ly/{name}", f"t.me/{name}"]
    )


def spam(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(["id", "id", "en"])
        pitch = rng.choice(SPAM_PITCH[language]).format(
            pct=rng.choice([50, 70, 100, 200]),
            amt=rng.choice(["1 juta", "500rb", "$300", "$1000"]),
            n=rng.choice([5, 10, 15]),
        )
        call = rng.choice(SPAM_CALL[language]).format(phone=_phone(rng), link=_link(rng))
        text = f"{rng.choice(SPAM_PRODUCTS[language])}, {pitch}. {call}"
        if rng.random() < 0.3:
            text = text.upper()
        found.append((language, text[0].upper() + text[1:]))
    return found


def gibberish(rng: random.Random) -> list[tuple[str, str]]:
    makers: list[Callable[[], str]] = [
        lambda: (lambda row, start: row[start : start + rng.randint(3, 8)])(
            rng.choice(KEY_ROWS), rng.randint(0, 4)
        ),
        lambda: "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 12))),
        lambda: rng.choice("bcdfghjklmnpqrstvwxyz") * rng.randint(3, 9),
        lambda: (rng.choice(["ks", "wk", "hs", "jd", "sk", "hj", "gh"])) * rng.randint(3, 6),
        lambda: " ".join(
            "".join(rng.choice("qwrtypsdfghjklzxcvbnm") for _ in range(rng.randint(2, 6)))
            for _ in range(rng.randint(2, 4))
        ),
        lambda: rng.choice(".,?!;:-_") * rng.randint(2, 8),
        lambda: "".join(rng.choice(string.digits) for _ in range(rng.randint(2, 9))),
    ]
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(found) < PER_CLASS:
        text = rng.choice(makers)()
        if text.strip() and text not in seen:
            seen.add(text)
            found.append(("none", text))
    return found


def abuse(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(["id", "id", "bjn", "en"])
        text = rng.choice(ABUSE_FORMS[language]).format(
            t=rng.choice(TARGETS[language]),
            i=rng.choice(INSULTS[language]),
            i2=rng.choice(INSULTS[language]),
        )
        found.append(("id-informal" if language == "id" else language, _chat(text, rng)))
    return found


GENERATORS = {
    "idea": ideas,
    "complaint": complaints,
    "question": questions,
    "small_talk": small_talk,
    "spam": spam,
    "gibberish": gibberish,
    "abuse": abuse,
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate() -> str:
    """The generated examples as TOML: ``[class]`` tables of per-language lists, leaving out
    what the hand-written file, the evaluation set or an earlier line already says."""
    rng = random.Random(SEED)
    seen = {message_key(example.text) for example in load_evaluation(EVALUATION)}
    seen.update(message_key(example.text) for example in load_examples(HAND_WRITTEN))
    lines = [
        "# Generated by `python -m bot.tagging.intent_generator`; do not edit by hand.",
        "# Templated intent training examples; the hand-written ones are intent_examples.toml.",
    ]
    for label, make in GENERATORS.items():
        by_language: dict[str, list[str]] = {}
        for language, text in make(rng):
            if message_key(text) not in seen:
                seen.add(message_key(text))
                by_language.setdefault(language, []).append(text)
        lines.append(f"\n[{label}]")
        for language, texts in by_language.items():
            lines.append(f"{language} = [")
            lines.extend(f"  {_quote(text)}," for text in texts)
            lines.append("]")
    return "\n".join(lines) + "\n"


def main() -> int:
    OUTPUT.write_text(generate(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
