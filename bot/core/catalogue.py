"""The pillar catalogue, the kecamatan list and the SKPD units: data files, loaded and validated at
start-up.

The files live in ``bot/data``. A regency edits them without touching Python; a file that does
not match the expected shape stops start-up with a :class:`CatalogueError` naming the file and the
fault.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

LANGUAGES = ("id", "en")
PILLAR_KEYS = ("governance", "branding", "economy", "living", "society", "environment")
REGION_CODE = re.compile(r"\d{2}\.\d{2}")
KECAMATAN_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}")
UNIT_KEY = re.compile(r"[a-z]{2,20}")


class CatalogueError(ValueError):
    """A catalogue data file is missing, unreadable or has the wrong shape."""


@dataclass(frozen=True, slots=True)
class Keyword:
    term: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Pillar:
    key: str
    names: dict[str, str]
    descriptions: dict[str, str]
    keywords: tuple[Keyword, ...]

    def name(self, language: str) -> str:
        return self.names[language]


@dataclass(frozen=True, slots=True)
class Kecamatan:
    key: str
    name: str
    code: str | None = None  # the official regional code (Kemendagri), e.g. 63.03.05


@dataclass(frozen=True, slots=True)
class Unit:
    """An SKPD (perangkat daerah) that takes up the accepted ideas it owns."""

    key: str
    name: str
    short: str
    pillars: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Catalogue:
    pillars: tuple[Pillar, ...]
    kecamatan: tuple[Kecamatan, ...]
    region_code: str | None = None  # the regency's official code (Kemendagri), e.g. 63.03
    units: tuple[Unit, ...] = ()

    def pillar(self, key: str) -> Pillar:
        for pillar in self.pillars:
            if pillar.key == key:
                return pillar
        raise KeyError(key)

    def kecamatan_by_key(self, key: str) -> Kecamatan:
        for kecamatan in self.kecamatan:
            if kecamatan.key == key:
                return kecamatan
        raise KeyError(key)

    # A stored idea outlives edits of the catalogue: what it names by a key the catalogue no
    # longer has is shown by that key.

    def pillar_name(self, key: str, language: str) -> str:
        """The pillar's name in ``language``, or ``key`` if the catalogue has no such pillar."""
        try:
            return self.pillar(key).name(language)
        except KeyError:
            return key

    def pillar_short_name(self, key: str, language: str) -> str:
        """The pillar's short name: "Smart Living", without the part after " — "."""
        return self.pillar_name(key, language).split(" — ")[0]

    def kecamatan_name(self, key: str) -> str:
        """The kecamatan's name, or ``key`` if the catalogue has no such kecamatan."""
        try:
            return self.kecamatan_by_key(key).name
        except KeyError:
            return key

    @property
    def pillar_keys(self) -> tuple[str, ...]:
        return tuple(pillar.key for pillar in self.pillars)

    def unit(self, key: str) -> Unit | None:
        return next((unit for unit in self.units if unit.key == key), None)

    def unit_name(self, key: str) -> str:
        """The unit's full name, or ``key`` if the catalogue no longer has it."""
        found = self.unit(key)
        return key if found is None else found.name

    def unit_short_name(self, key: str) -> str:
        found = self.unit(key)
        return key if found is None else found.short


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CatalogueError(f"{path.name}: {error}") from error


def _languages(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or any(
        not isinstance(value.get(lang), str) or not value[lang].strip() for lang in LANGUAGES
    ):
        raise CatalogueError(f"{where} needs a non-empty text for each of {', '.join(LANGUAGES)}")
    return {lang: value[lang] for lang in LANGUAGES}


def _pillar(raw: dict, index: int) -> Pillar:
    where = f"pillars.toml: pillar {index + 1}"
    key = raw.get("key")
    if key not in PILLAR_KEYS:
        raise CatalogueError(f"{where}: key must be one of {', '.join(PILLAR_KEYS)}, got {key!r}")
    keywords = []
    for item in raw.get("keywords", []):
        term = item.get("term") if isinstance(item, dict) else None
        weight = item.get("weight", 1.0) if isinstance(item, dict) else None
        if not isinstance(term, str) or not term.strip():
            raise CatalogueError(f"{where} ({key}): every keyword needs a non-empty term")
        if not isinstance(weight, int | float) or weight <= 0:
            raise CatalogueError(f"{where} ({key}): keyword {term!r} needs a positive weight")
        keywords.append(Keyword(term.strip().lower(), float(weight)))
    return Pillar(
        key=key,
        names=_languages(raw.get("name"), f"{where} ({key}) name"),
        descriptions=_languages(raw.get("description"), f"{where} ({key}) description"),
        keywords=tuple(keywords),
    )


def _strings(raw: dict, name: str, where: str) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
        raise CatalogueError(f"{where}: {name} must be a list of non-empty texts")
    return tuple(v.strip().lower() for v in value)


def _unit(raw: object, index: int) -> Unit:
    where = f"units.toml: unit {index + 1}"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: must be a table")
    key = raw.get("key")
    if not isinstance(key, str) or not UNIT_KEY.fullmatch(key):
        raise CatalogueError(f"{where}: key must be 2 to 20 lower-case letters, got {key!r}")
    for name in ("name", "short"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise CatalogueError(f"{where} ({key}): needs a non-empty {name}")
    pillars = _strings(raw, "pillars", f"{where} ({key})")
    unknown = [p for p in pillars if p not in PILLAR_KEYS]
    if unknown:
        raise CatalogueError(f"{where} ({key}): unknown pillar {unknown[0]!r}")
    return Unit(
        key=key,
        name=raw["name"].strip(),
        short=raw["short"].strip(),
        pillars=pillars,
        keywords=_strings(raw, "keywords", f"{where} ({key})"),
    )


def load_units(path: Path) -> tuple[Unit, ...]:
    units = tuple(_unit(raw, i) for i, raw in enumerate(_read_toml(path).get("unit", [])))
    if not units or len({u.key for u in units}) != len(units):
        raise CatalogueError("units.toml: needs at least one unit, each key once")
    return units


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Load and validate ``pillars.toml``, ``kecamatan.toml`` and ``units.toml`` (by default the
    shipped ones)."""
    base = directory or Path(str(resources.files("bot") / "data"))
    pillars = tuple(
        _pillar(raw, index)
        for index, raw in enumerate(_read_toml(base / "pillars.toml").get("pillar", []))
    )
    if sorted(p.key for p in pillars) != sorted(PILLAR_KEYS):
        raise CatalogueError(f"pillars.toml must define each pillar once: {', '.join(PILLAR_KEYS)}")
    places = _read_toml(base / "kecamatan.toml")
    region_code = places.get("region_code")
    if region_code is not None and not REGION_CODE.fullmatch(str(region_code)):
        raise CatalogueError(
            f"kecamatan.toml: region_code must look like 63.03, got {region_code!r}"
        )
    kecamatan = []
    for raw in places.get("kecamatan", []):
        if not isinstance(raw, dict) or not raw.get("key") or not raw.get("name"):
            raise CatalogueError("kecamatan.toml: every kecamatan needs a key and a name")
        code = raw.get("code")
        if code is not None and not (
            KECAMATAN_CODE.fullmatch(str(code)) and str(code).startswith(f"{region_code}.")
        ):
            raise CatalogueError(
                f"kecamatan.toml: {raw['key']}: code must be region_code and two digits, "
                f"e.g. {region_code}.01, got {code!r}"
            )
        kecamatan.append(Kecamatan(str(raw["key"]), str(raw["name"]), code))
    if not kecamatan or len({k.key for k in kecamatan}) != len(kecamatan):
        raise CatalogueError("kecamatan.toml: needs at least one kecamatan, each key once")
    return Catalogue(
        pillars=pillars,
        kecamatan=tuple(kecamatan),
        region_code=region_code,
        units=load_units(base / "units.toml"),
    )
