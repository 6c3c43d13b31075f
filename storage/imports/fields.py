"""Reading one cell of an imported list: names, phones, places, stars and dates.

Each reader returns the value or raises :class:`Problem` with the reason in one short
English phrase for the operator ("phone '0123' is not a valid Vietnamese number"); the
import adds the row number. Cells from .xlsx may be numbers or dates rather than text (a
phone typed as a number has lost its leading 0): the readers take both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.text import clean, fold, has_letters
from forms.readers import Ok, read_date, read_phone
from forms.readers.places import exact, rank_matches, search_key
from forms.readers.places_former import COMMUNE, former_key, now_in
from storage.imports.tables import Cell
from storage.models import Commune, Province
from storage.places_former import FormerDataMissing, FormerUnits, load_former_units

T = TypeVar("T")

MAX_PERSON_NAME = 100  # as in onboarding
MAX_NAME = 200  # the products columns
MAX_CELL = 2_000  # no field of ours is longer; a 128 KB cell is a mistake, reported as one


class Problem(Exception):
    """What is wrong with a cell; the import reports it with the row number."""


def collect(reasons: list[str], read: Callable[..., T], *args: Any) -> T | None:
    """Run one reader, keeping its problem: a row reports everything wrong with it at once,
    so the operator fixes the file in one pass."""
    try:
        return read(*args)
    except Problem as problem:
        reasons.append(str(problem))
        return None


def text(cell: Cell) -> str | None:
    """The cell as clean NFC text, or None when empty; numbers from Excel become digits."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    raw = str(cell)
    if len(raw) > MAX_CELL:
        raise Problem(f"a cell is longer than {MAX_CELL:,} characters")
    value = " ".join(clean(raw).split())
    return value or None


def required_text(cell: Cell, what: str, *, max_length: int = MAX_NAME) -> str:
    value = text(cell)
    if value is None:
        raise Problem(f"{what} is missing")
    if not has_letters(value):
        raise Problem(f"{what} '{value}' has no letters")
    if len(value) > max_length:
        raise Problem(f"{what} is longer than {max_length} characters")
    return value


def person_name(cell: Cell) -> str:
    return required_text(cell, "name", max_length=MAX_PERSON_NAME)


def phone(cell: Cell) -> str:
    """A Vietnamese number in E.164 (``+84912345678``), as onboarding stores it."""
    value = text(cell)
    if value is None:
        raise Problem("phone number is missing")
    if value.isdigit() and len(value) == 9:
        value = "0" + value  # a mobile number kept as a number in Excel: 912345678
    reading = read_phone(value)
    if not isinstance(reading, Ok):
        raise Problem(f"phone '{value}' is not a valid Vietnamese phone number")
    return reading.value


_STARS = re.compile(r"(\d+)(?: ?(?:sao|stars?))?")


def stars(cell: Cell) -> int:
    """3, 4 or 5 (OCOP ranks 3 to 5 stars): "4", 4, "4 sao", "4★", "★★★★"."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        raise Problem("stars are missing")
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        number: int | None = int(cell) if float(cell).is_integer() else None
        shown = str(cell)
    else:
        shown = str(cell).strip()
        if set(shown) == {"★"}:
            number = len(shown)
        else:
            match = _STARS.fullmatch(fold(shown))
            number = int(match[1]) if match else None
    if number is None:
        raise Problem(f"stars '{shown}' is not a number of stars (3, 4 or 5)")
    if not 3 <= number <= 5:
        raise Problem(f"stars must be 3, 4 or 5, not {number}")
    return number


_ISO_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?")


def day(cell: Cell, what: str, *, today: date) -> date:
    """A date written day first (15/3/2024, 15-03-2024) or a real Excel date; not in the
    future, since a certificate cannot have been granted yet."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        raise Problem(f"{what} is missing")
    if isinstance(cell, datetime):
        value = cell.date()
    elif isinstance(cell, date):
        value = cell
    else:
        shown = str(cell).strip()
        stamp = _ISO_STAMP.fullmatch(shown)  # a date another program wrote with its time
        reading = read_date(stamp[1] if stamp else shown, today=today)
        if not isinstance(reading, Ok):
            raise Problem(f"{what} '{shown}' is not a date written day first, e.g. 15/03/2024")
        value = reading.value
    if value > today:
        raise Problem(f"{what} {value:%d/%m/%Y} is in the future")
    return value


def code(cell: Cell, what: str) -> int | None:
    """An official code: "06193", 6193 or "6193.0" from a spreadsheet."""
    value = text(cell)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise Problem(f"{what} '{value[:20]}' is not an official code")
    return int(value)


class PlaceFinder:
    """Finds the commune of a row by official code, or by name inside its province.

    Names must match whole (accents, case and the type word "Xã"/"Phường" optional): a
    list is data for years, so a near match is reported rather than guessed. Where a
    province has two units of one name ("Phường Vân Lang" and "Xã Vân Lang") the type word
    decides. All units (34 + 3,321) are held in memory for the length of an import.
    """

    def __init__(
        self,
        provinces: Sequence[Province],
        communes: Sequence[Commune],
        former: FormerUnits | None = None,
    ) -> None:
        self.provinces = {p.code: p for p in provinces}
        self.communes = {c.code: c for c in communes}
        self.by_province: dict[int, list[Commune]] = {}
        for commune in communes:
            self.by_province.setdefault(commune.province_code, []).append(commune)
        self.former = former

    @classmethod
    async def load(cls, session: AsyncSession) -> PlaceFinder:
        provinces = (await session.scalars(select(Province).order_by(Province.code))).all()
        communes = (await session.scalars(select(Commune).order_by(Commune.code))).all()
        try:
            former: FormerUnits | None = await load_former_units()
        except FormerDataMissing:
            former = None  # only current names then
        return cls(provinces, communes, former)

    def _former_province(self, typed: str) -> Province | None:
        """The province an old one (Quảng Nam, Bà Rịa - Vũng Tàu) is part of now."""
        if self.former is None:
            return None
        key = former_key(typed)
        for old in self.former.provinces:
            if key == old.name_folded or key.replace(" ", "") in old.aliases:
                found = now_in(list(self.provinces.values()))(old)
                return found[0] if len(found) == 1 else None
        return None

    def _former_commune(self, typed: str, province: Province) -> list[Commune]:
        """The communes an old commune of that name became (a split one: several)."""
        if self.former is None:
            return []
        key = former_key(typed)
        olds = [
            f
            for f in self.former.by_province.get(province.code, ())
            if f.kind == COMMUNE and f.name_folded == key
        ]
        # The type word and accents written decide between old communes named alike
        # ("Thị trấn Núi Thành", "Xã Tam Thanh" and "Xã Tam Thành").
        olds = exact(olds, typed) or olds
        now = now_in(self.by_province.get(province.code, []))
        return list(dict.fromkeys(c for old in olds for c in now(old)))

    def province(self, name: Cell, code_cell: Cell, default: int | None) -> Province:
        number = code(code_cell, "province code")
        if number is not None:
            if number not in self.provinces:
                raise Problem(f"there is no province with code {number}")
            return self.provinces[number]
        typed = text(name)
        if typed is None:
            if default is None:
                raise Problem("province is missing (add a province column or give --province)")
            return self.provinces[default]
        found = rank_matches(typed, list(self.provinces.values()))
        exact = [p for p in found if p.name_folded == search_key(typed)]
        if len(exact) == 1 or len(found) == 1:
            return exact[0] if len(exact) == 1 else found[0]
        merged = self._former_province(typed)  # one of the 63 before July 2025
        if merged is not None:
            return merged
        if not found:
            raise Problem(f"there is no province '{typed}'")
        raise Problem(f"province '{typed}' could be {_names(found)}")

    def commune(
        self,
        name: Cell,
        code_cell: Cell,
        province_name: Cell,
        province_code: Cell,
        default_province: int | None,
    ) -> Commune:
        number = code(code_cell, "commune code")
        if number is not None:
            commune = self.communes.get(number)
            if commune is None:
                raise Problem(f"there is no commune with code {number}")
            if text(province_name) is not None or text(province_code) is not None:
                province = self.province(province_name, province_code, None)
                if province.code != commune.province_code:
                    raise Problem(
                        f"commune code {number} ({commune.name}) is not in {province.name}"
                    )
            return commune
        province = self.province(province_name, province_code, default_province)
        typed = text(name)
        if typed is None:
            raise Problem("commune is missing")
        candidates = self.by_province.get(province.code, [])
        exact = [c for c in candidates if c.name_folded == search_key(typed)]
        if len(exact) > 1:
            exact = _closest(exact, typed)
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise Problem(
                f"commune '{typed}' could be {_names(exact)} in {province.name}: write the "
                "name with its accents and Xã or Phường before it, or give the commune code"
            )
        became = self._former_commune(typed, province)  # a commune before July 2025
        if len(became) == 1:
            return became[0]
        if became:
            raise Problem(
                f"the former commune '{typed}' is now part of {_names(became)} in "
                f"{province.name}: give the commune's current name or code"
            )
        near = rank_matches(typed, candidates)
        hint = f"; did you mean {_names(near)}?" if near else ""
        raise Problem(f"there is no commune '{typed}' in {province.name}{hint}")


_TYPE_WORDS = ("xã ", "phường ", "đặc khu ")


def _closest(communes: list[Commune], typed: str) -> list[Commune]:
    """Among communes whose names fold alike ("Xã Văn Lang", "Xã Văn Lăng"; "Phường Mỹ
    Tho", "Xã Mỹ Thọ"), those the accents and then the type word typed point to."""
    wanted = typed.casefold()

    def bare(name: str) -> str:
        name = name.casefold()
        for word in _TYPE_WORDS:
            if name.startswith(word):
                return name[len(word) :]
        return name

    narrowed = communes
    for fits in (
        lambda c: wanted in (c.name.casefold(), bare(c.name)),
        lambda c: fold(c.name) == fold(typed),
    ):
        subset = [c for c in narrowed if fits(c)]
        if subset:
            narrowed = subset
        if len(narrowed) == 1:
            break
    return narrowed


def _names(units: Sequence[Province | Commune]) -> str:
    shown = [f"{u.name} ({u.code:05d})" if isinstance(u, Commune) else u.name for u in units[:4]]
    if len(units) > len(shown):
        shown.append("another")
    return " or ".join(shown) if len(shown) <= 2 else ", ".join(shown[:-1]) + " or " + shown[-1]
