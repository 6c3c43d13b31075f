"""Readers on long answers: the worst time each answer reader takes over answers built to
find slow paths (runs of spaces, many separators, many digits, long or repeated words; see
tests/forms/readers/long_inputs.py), at 3,999 characters and at 10,000. Then how the readers
do on the corpus of answers as people type them (tests/forms/readers/corpus): the share
read right, the silent misreads (a wrong value stored without asking), per corpus file.

    python -m bench.readers [--lengths 3999,10000] [--repeat 5]

The readers run on the event loop that serves every user, so the target is a few
milliseconds for any answer under 4,000 characters; a time that grows faster than the
length (compare the two columns) points at a quadratic path. Each figure is the best of
``--repeat`` runs, so that another process taking the CPU for a moment does not count.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from vietnam_provinces import Province as VpProvince
from vietnam_provinces import Ward as VpWard

from bench.common import Table, report
from forms.engine import choices
from forms.readers import (
    rank_matches,
    read_choice,
    read_choices,
    read_date,
    read_decimal,
    read_integer,
    read_phone,
    read_text,
    read_yes_no,
    search_key,
    unique,
)
from forms.schema import DEFINITIONS_DIR, load_forms
from tests.forms.readers import typing_corpus
from tests.forms.readers.long_inputs import FAMILIES

TARGET_MS = 5.0
TODAY = date(2024, 6, 10)


@dataclass(frozen=True)
class Place:
    """A province or commune as the matching sees it (the tables hold the same fields)."""

    code: int
    name: str
    name_folded: str


def places() -> tuple[list[Place], list[Place]]:
    """The 34 provinces, and the communes of the province that has the most."""
    provinces = [Place(int(p.code), p.name, search_key(p.name)) for p in VpProvince.iter_all()]
    by_province: dict[int, list[Place]] = {}
    for ward in VpWard.iter_all():
        place = Place(int(ward.code), ward.name, search_key(ward.name))
        by_province.setdefault(int(ward.province_code), []).append(place)
    return provinces, max(by_province.values(), key=len)


def readers() -> dict[str, Callable[[str], object]]:
    """Each reader as a question of the built-in forms calls it."""
    questions = {q.id: q for form in load_forms(DEFINITIONS_DIR).values() for q in form.questions}
    groups = choices(questions["product_group"])  # six options, the longest labels
    provinces, communes = places()

    def place(units: list[Place]) -> Callable[[str], object]:
        return lambda text: unique(rank_matches(text, units), text)

    people = questions["people_trained"]
    labels = (people.label.vi, people.label.en or people.label.vi)
    difficulties = questions["has_difficulties"].label.vi
    return {
        "read_integer (triệu đồng)": lambda t: read_integer(t, unit="triệu đồng"),
        "read_integer (count, label)": lambda t: read_integer(
            t, min_value=0, max_value=100_000, label=labels
        ),
        "read_decimal (tấn)": lambda t: read_decimal(t, unit="tấn"),
        "read_decimal (đồng)": lambda t: read_decimal(t, min_value=0, unit="đồng"),
        "read_date": lambda t: read_date(t, today=TODAY),
        "read_yes_no": read_yes_no,
        "read_yes_no (label)": lambda t: read_yes_no(t, label=difficulties),
        "read_choice (6 options)": lambda t: read_choice(t, groups),
        "read_choices (6 options)": lambda t: read_choices(t, groups),
        "read_text (up to 4,000)": lambda t: read_text(t, max_length=4000),
        "read_phone": read_phone,
        f"place: {len(provinces)} provinces": place(provinces),
        f"place: {len(communes)} communes": place(communes),
    }


def timed(reader: Callable[[str], object], text: str, repeat: int) -> float:
    """Seconds of the fastest of ``repeat`` calls: the reader's own cost, without the
    moments another process had the CPU."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        reader(text)
        best = min(best, time.perf_counter() - started)
    return best


def run(args: argparse.Namespace) -> tuple[dict[str, Any], Table]:
    lengths: list[int] = args.lengths
    inputs = {n: {name: make(n) for name, make in FAMILIES.items()} for n in lengths}
    figures: dict[str, Any] = {"lengths": lengths, "repeat": args.repeat, "readers": {}}
    first = lengths[0]
    table = Table(
        f"Answer readers: the slowest of {len(FAMILIES)} long answers (best of "
        f"{args.repeat} runs each)",
        ["reader", f"slowest at {first:,} chars", f"{first:,} chars",
         *(f"{n:,} chars" for n in lengths[1:]), f"median input, {first:,}"],
    )  # fmt: skip
    for name, reader in readers().items():
        times = {
            n: {family: timed(reader, text, args.repeat) for family, text in inputs[n].items()}
            for n in lengths
        }
        figures["readers"][name] = {
            str(n): {family: round(s * 1000, 3) for family, s in by_family.items()}
            for n, by_family in times.items()
        }
        slowest = max(times[first], key=lambda family: times[first][family])
        table.add(
            name,
            slowest,
            f"{times[first][slowest] * 1000:.2f} ms",
            *(f"{max(times[n].values()) * 1000:.2f} ms" for n in lengths[1:]),
            f"{statistics.median(times[first].values()) * 1000:.2f} ms",
        )
    table.notes.append(
        f"Target: under {TARGET_MS:g} ms at {first:,} characters; the later columns are the "
        "slowest input at that length, which should grow no faster than the length."
    )
    return figures, table


def corpus() -> tuple[dict[str, Any], Table]:
    """The corpus read and judged as tests/forms/readers/test_corpus.py judges it."""
    started = time.perf_counter()
    verdicts = typing_corpus.run()
    seconds = time.perf_counter() - started
    figures = typing_corpus.figures(verdicts)
    table = Table(
        f"Answers as people type them: {figures['answers']} answers of the corpus",
        ["corpus file", "answers", "read right", "silent misreads", "asked or refused"],
    )
    for name, counts in figures["by_file"].items():
        total = sum(counts.values())
        table.add(
            name,
            str(total),
            f"{counts.get(typing_corpus.RIGHT, 0) / total:.1%}",
            str(counts.get(typing_corpus.SILENT, 0)),
            str(counts.get(typing_corpus.SAFE, 0)),
        )
    table.add(
        "all",
        str(figures["answers"]),
        f"{figures['share_right']:.1%}",
        str(figures["silent_misreads"]),
        str(figures["asked_or_refused"]),
    )
    table.notes.append(
        f"Target: at least 98 % read right and no silent misread. "
        f"{seconds * 1000 / max(1, figures['answers']):.2f} ms an answer on average."
    )
    figures["ms_per_answer"] = round(seconds * 1000 / max(1, figures["answers"]), 3)
    return figures, table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--lengths", default="3999,10000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--name", default="readers", help="name of the JSON in bench/results")
    args = parser.parse_args(argv)
    args.lengths = [int(n) for n in args.lengths.split(",") if n.strip()]
    figures, table = run(args)
    figures["corpus"], corpus_table = corpus()
    report(args.name, figures, [table, corpus_table])


if __name__ == "__main__":
    main()
