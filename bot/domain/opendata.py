"""The open dataset: the published ideas, anonymised, for Satu Data Indonesia (CC BY 4.0).

:meth:`OpenData.write` writes four files into a folder: the ideas as CSV and as JSON (the same
rows), the data dictionary (CSV) and a README in Indonesian. Only ideas shown publicly are in it
(the resident agreed, the team accepted, no officer withdrew it). No name, username or Telegram id
is written; in the texts, phone numbers, e-mail addresses, @-names and the sender's own names and
id are blanked. Regional codes are Kemendagri's, from the kecamatan catalogue.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.core.catalogue import Catalogue
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.domain.exports import to_csv
from bot.domain.public import anonymised
from storage import public as store
from storage.engine import Database

DATA_CSV = "ide-warga.csv"
DATA_JSON = "ide-warga.json"
DICTIONARY_CSV = "kamus-data.csv"
README = "README.md"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.id"

# (column, type, meaning): the data dictionary, in the order of the columns.
COLUMNS = (
    ("kode_ide", "teks", "Kode pelacakan ide, unik, mis. IDE-0012."),
    ("tanggal_masuk", "tanggal (YYYY-MM-DD, WITA)", "Tanggal ide dikirim warga."),
    (
        "tanggal_status",
        "tanggal (YYYY-MM-DD, WITA)",
        "Tanggal perubahan status terakhir (atau pilar) ide.",
    ),
    ("kode_provinsi", "teks", "Kode wilayah provinsi (Kemendagri), mis. 63."),
    ("kode_kabupaten_kota", "teks", "Kode wilayah kabupaten/kota (Kemendagri), mis. 63.03."),
    ("nama_kabupaten_kota", "teks", "Nama kabupaten/kota."),
    (
        "kode_kecamatan",
        "teks",
        "Kode wilayah kecamatan (Kemendagri), mis. 63.03.05; kosong bila warga tidak memilih.",
    ),
    ("nama_kecamatan", "teks", "Nama kecamatan; kosong bila warga tidak memilih."),
    (
        "pilar",
        "teks",
        "Kunci pilar Gerakan Menuju 100 Smart City: governance, branding, economy, living, "
        "society, environment.",
    ),
    ("nama_pilar", "teks", "Nama pilar dalam bahasa Indonesia."),
    (
        "status",
        "teks",
        "Status ide: accepted (diterima), forwarded (diteruskan ke SKPD), in_progress (sedang "
        "dikerjakan SKPD) atau implemented (terlaksana).",
    ),
    (
        "kode_skpd",
        "teks",
        "Kunci SKPD (perangkat daerah) yang menindaklanjuti atau melaksanakan ide, mis. pupr; "
        "kosong bila belum diteruskan.",
    ),
    ("nama_skpd", "teks", "Nama SKPD itu; kosong bila belum diteruskan."),
    ("jumlah_dukungan", "bilangan bulat", "Banyaknya warga yang mendukung ide (satu per warga)."),
    (
        "teks_ide",
        "teks",
        "Isi ide dengan nomor telepon, alamat e-mail, @nama dan nama pengirim disamarkan [...].",
    ),
)


@dataclass(frozen=True, slots=True)
class Written:
    ideas: int
    files: list[Path]


class OpenData:
    """Writes the open dataset of the published ideas."""

    def __init__(
        self, *, db: Database, settings: Settings, clock: Clock, catalogue: Catalogue
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._catalogue = catalogue

    def _date(self, moment: datetime) -> str:
        return f"{moment.astimezone(self._settings.timezone):%Y-%m-%d}"

    def _record(self, row: store.OpenRow) -> dict[str, str | int]:
        region = self._catalogue.region_code or ""
        unit = self._catalogue.unit(row.unit) if row.unit else None
        kecamatan = None
        if row.kecamatan:
            kecamatan = next((k for k in self._catalogue.kecamatan if k.key == row.kecamatan), None)
        return {
            "kode_ide": row.code,
            "tanggal_masuk": self._date(row.received),
            "tanggal_status": self._date(row.status_changed),
            "kode_provinsi": region.split(".")[0],
            "kode_kabupaten_kota": region,
            "nama_kabupaten_kota": self._settings.region_name,
            "kode_kecamatan": (kecamatan.code or "") if kecamatan else "",
            "nama_kecamatan": kecamatan.name if kecamatan else (row.kecamatan or ""),
            "pilar": row.pillar,
            "nama_pilar": self._catalogue.pillar_name(row.pillar, "id"),
            "status": str(row.status),
            "kode_skpd": row.unit or "",
            "nama_skpd": unit.name if unit else "",
            "jumlah_dukungan": row.supports,
            "teks_ide": anonymised(row.text, row.sender),
        }

    async def write(self, folder: Path) -> Written:
        """Write the dataset into ``folder`` (created if needed), replacing earlier files."""
        rows = await self._db.read(store.open_rows)
        records = [self._record(row) for row in rows]
        made = self._clock()
        header = [column for column, _, _ in COLUMNS]
        files = {
            DATA_CSV: to_csv(header, [[str(r[c]) for c in header] for r in records]),
            DATA_JSON: json.dumps(
                {
                    "judul": f"Ide warga {self._settings.region_name} yang dipublikasikan",
                    "lisensi": LICENCE,
                    "dibuat": made.isoformat(timespec="seconds"),
                    "jumlah": len(records),
                    "data": records,
                },
                ensure_ascii=False,
                indent=1,
            ).encode("utf-8"),
            DICTIONARY_CSV: to_csv(("kolom", "tipe", "keterangan"), COLUMNS),
            README: self._readme(len(records), made).encode("utf-8"),
        }
        return Written(len(records), await asyncio.to_thread(_save, folder, files))

    def _readme(self, count: int, made: datetime) -> str:
        region = self._settings.region_name
        dictionary = "\n".join(f"| `{c}` | {kind} | {meaning} |" for c, kind, meaning in COLUMNS)
        return f"""# Ide warga {region} yang dipublikasikan

Data terbuka dari bot Telegram *Inovasi Warga* program Gerakan Menuju 100 Smart City {region}.
Dibuat {made.astimezone(self._settings.timezone):%Y-%m-%d %H:%M} WITA; berisi {count} ide.

## Berkas

- `{DATA_CSV}`: satu baris per ide (UTF-8 dengan BOM, pemisah koma). Sel yang diawali `=`, `+`,
  `-` atau `@` diberi tanda petik tunggal di depannya agar tidak dibaca sebagai rumus.
- `{DATA_JSON}`: baris yang sama dalam JSON (`data`), dengan judul, lisensi dan waktu pembuatan.
- `{DICTIONARY_CSV}`: kamus data (kolom, tipe, keterangan).

## Kamus data

| kolom | tipe | keterangan |
|---|---|---|
{dictionary}

## Cara data dibuat

Warga mengirim ide lewat bot Telegram dan, untuk setiap ide, menjawab apakah ide itu boleh
ditampilkan kepada publik. Tim e-government (Diskominfostandi) meninjau setiap ide. Yang masuk
ke data ini hanya ide yang warganya mengizinkan tampil ke publik, yang sudah diterima tim
(status `accepted` atau `implemented`) dan yang tidak ditarik petugas dari tampilan publik.
Pilar ditandai otomatis lalu diperiksa petugas. Dukungan dihitung satu per warga.

Kode wilayah mengikuti kode wilayah administrasi pemerintahan Kementerian Dalam Negeri
({region} {self._catalogue.region_code or "-"}; sumber: Keputusan Menteri Dalam Negeri
No. 100.1.1-6117 Tahun 2022, lihat `bot/data/kecamatan.toml` pada kode sumber bot).

## Yang tidak dimuat, dan mengapa

- Nama, nama pengguna dan nomor akun Telegram warga: data pribadi (UU No. 27 Tahun 2022
  tentang Pelindungan Data Pribadi). Nama tidak dimuat meskipun warga memilih tampil dengan nama.
- Nomor telepon, alamat e-mail, @nama, serta nama dan nomor akun pengirim di dalam teks ide:
  disamarkan menjadi `[…]`. Teks ditulis warga sendiri; penyamaran otomatis bisa saja luput,
  laporkan kepada Diskominfostandi bila menemukan data pribadi.
- Titik lokasi yang dibagikan warga: bisa menunjukkan rumah seseorang; hanya kecamatan yang
  dimuat.
- Foto: bisa memuat wajah atau rumah warga.
- Ide yang belum ditinjau, ditolak, duplikat, atau yang warganya tidak mengizinkan tampil.
- Catatan internal dan nama petugas.

## Lisensi

{LICENCE} ({LICENCE_URL}): bebas dipakai, dibagikan dan diolah, dengan menyebut sumbernya:
"Inovasi Warga, {region}".
"""


def _save(folder: Path, files: dict[str, bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        target = folder / name
        partial = target.with_suffix(target.suffix + ".tmp")
        partial.write_bytes(content)
        partial.replace(target)  # a reader never sees half a file
        written.append(target)
    return written
