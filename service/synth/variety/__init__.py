"""Varied synthetic reports for measuring generalisation: ``make_varied(seed, split)``.

Owns the families of variation (the kind of unit, who and when, money in prose, 三公,
staffing, projects, tables, problems and measures, scores, achievements, planted
contradictions, the document's layout), written in ``units``, ``who``, ``money``,
``tables``, ``narrative`` and ``layouts``, and the tuning / held-out split of their
variants (``catalog``: the rule is in its docstring; ``families()`` lists them all).

For the evaluation: ``make_varied(seed, split)`` → ``SyntheticReport`` whose ``variety``
(``VarietyInfo``) names its layout, split and variant ids; ``split_of(variant_id)`` says
which split an id belongs to; ``varied_suite(count, split, start_seed)`` yields a run of
them; ``service.synth.batch.write_varied_set`` renders them to a folder. Every report carries
its truth in the export format, exact for every field the document states and absent for
every field it does not, and a ``VarietyInfo`` naming its layout, split and variants.

A tuning document never contains a held-out variant. ``make_report``/``TEMPLATES`` of
``service.synth`` are untouched by this package.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from service.synth.reports import SyntheticReport, VarietyInfo
from service.synth.variety.catalog import (
    HELD_OUT_LAYOUTS,
    SPLITS,
    Chooser,
    Split,
    Variant,
    families,
    split_of,
    variants,
)
from service.synth.variety.layouts import draw_data, write
from service.synth.variety.units import COUNTIES, UNIT_KINDS
from service.synth.variety.writer import VariedWriter

# Bump when a seed would give another document (a family or variant added, a draw changed):
# the split of an existing variant never moves, but which variants a seed picks does.
VARIETY_VERSION = "1"

__all__ = [
    "HELD_OUT_LAYOUTS",
    "VARIETY_VERSION",
    "SPLITS",
    "Split",
    "Variant",
    "VarietyInfo",
    "families",
    "make_varied",
    "split_of",
    "varied_suite",
    "variants",
]


def make_varied(seed: int, split: Split = "tuning") -> SyntheticReport:
    """Varied report ``seed`` of ``split`` ("tuning" or "held_out"), with its truth and its
    ``variety`` (layout, split, variants). The same arguments give the same report; the
    two splits draw independently (tuning #3 and held-out #3 are different documents)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    rng = random.Random(f"jixiao-variety:{split}:{seed}")
    chooser = Chooser(random.Random(f"jixiao-variety-pick:{split}:{seed}"), split)
    county = rng.choice(COUNTIES)
    data, unit = draw_data(rng, seed, county, UNIT_KINDS[chooser.pick("unit_kind")])
    layout = chooser.pick("layout")
    writer = VariedWriter(data, unit, chooser)
    writer.county = county
    spec = write(writer, layout)
    truth = writer.export()
    truth.extractor.notes[0] = f"template=varied:{layout}"
    truth.extractor.notes += [f"split={split}", f"variety={VARIETY_VERSION}"]
    knobs = writer.f.knobs.model_copy(update={"contradictions": len(data.planted)})
    info = VarietyInfo(
        layout=layout,
        split=split,
        variants=chooser.variant_ids(),
        families={f: tuple(names) for f, names in sorted(chooser.used.items())},
    )
    return SyntheticReport(
        name=f"varied_{split}_{seed:04d}",
        seed=seed,
        template="varied",
        knobs=knobs,
        spec=spec,
        truth=truth,
        variety=info,
    )


def varied_suite(
    count: int, split: Split = "tuning", start_seed: int = 0
) -> Iterator[SyntheticReport]:
    """``count`` varied reports of ``split``, seeds ``start_seed`` onwards."""
    for i in range(count):
        yield make_varied(start_seed + i, split)
