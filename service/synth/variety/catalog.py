"""The catalogue of variants and the fixed rule that splits them into tuning and held-out.

Owns variant ids, the split rule and ``Chooser``, the only way a document picks a variant.

A *family* is one way reports differ (how the title is laid out, how 三公 changes are
phrased, how tables are printed…); a *variant* is one of its forms, with the stable id
``"<family>.<name>"`` (``"title.two_lines"``). The modules that write documents register
their variants here by name; the catalogue is what they registered, nothing else.

The split rule (``split_of``), fixed so that the held-out set stays unseen:

* ``layout`` variants (the skeleton of a whole document) are held out by name: the ones in
  ``HELD_OUT_LAYOUTS``;
* the first variant a family registers is its common form (ruled tables, no plant…) and
  always tunes, so that every family has a tuning variant;
* every other variant is held out when the first four bytes of the SHA-256 of its id, read
  as a big-endian integer, are divisible by three (``HELD_OUT_MODULUS``): about a third of
  the phrasings, decided by the id alone, so adding a variant never moves another.

A *tuning* document only ever picks tuning variants. A *held-out* document prefers held-out
variants (``HELD_OUT_PREFERENCE`` of its picks where the family has one) and may use the
others, so that it reads like a report, not like a catalogue of oddities.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Split = Literal["tuning", "held_out"]
SPLITS: tuple[Split, ...] = ("tuning", "held_out")
HELD_OUT_LAYOUTS = frozenset({"layout.memo", "layout.table_first"})
HELD_OUT_MODULUS = 3
HELD_OUT_PREFERENCE = 0.5

_REGISTRY: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class Variant:
    """One variant of one family, e.g. ``Variant("three_public_change", "pct_first")``."""

    family: str
    name: str

    @property
    def id(self) -> str:
        return f"{self.family}.{self.name}"

    @property
    def split(self) -> Split:
        return split_of(self.id)


def split_of(variant_id: str) -> Split:
    """The split a variant belongs to, by the rule in the module docstring; an id no
    module registered is an error (a typo must not pass as tuning)."""
    family, _, name = variant_id.partition(".")
    if name not in _REGISTRY.get(family, ()):
        raise ValueError(f"unknown variant {variant_id!r}")
    if family == "layout":
        return "held_out" if variant_id in HELD_OUT_LAYOUTS else "tuning"
    if _REGISTRY[family][0] == name:
        return "tuning"
    digest = hashlib.sha256(variant_id.encode("utf-8")).digest()
    return "held_out" if int.from_bytes(digest[:4], "big") % HELD_OUT_MODULUS == 0 else "tuning"


def register(family: str, names: Iterable[str]) -> None:
    """Declare the variants of ``family`` (called once by the module that writes them)."""
    names = tuple(names)
    if not names or len(set(names)) != len(names):
        raise ValueError(f"family {family!r} needs distinct variant names")
    if _REGISTRY.get(family, names) != names:
        raise ValueError(f"family {family!r} registered twice with other variants")
    _REGISTRY[family] = names


def families() -> dict[str, tuple[Variant, ...]]:
    """Every registered family and its variants, in registration order."""
    return {f: tuple(Variant(f, n) for n in names) for f, names in _REGISTRY.items()}


def variants(split: Split | None = None) -> list[Variant]:
    """All variants, or those of one split."""
    out = [v for vs in families().values() for v in vs]
    return [v for v in out if split is None or v.split == split]


@dataclass
class Chooser:
    """Picks variants for one document from a seeded generator, within its split, and
    records every variant it hands out (the document's ``variants``)."""

    rng: random.Random
    split: Split
    used: dict[str, list[str]] = field(default_factory=dict)

    def pick(self, family: str, among: Iterable[str] | None = None) -> str:
        """The name of a variant of ``family`` (restricted to ``among`` when given)."""
        names = _REGISTRY[family]
        allowed = [n for n in names if among is None or n in set(among)]
        if self.split == "tuning":
            allowed = [n for n in allowed if split_of(f"{family}.{n}") == "tuning"]
        if not allowed:
            raise ValueError(f"no {self.split} variant of {family!r} among {among!r}")
        held = [n for n in allowed if split_of(f"{family}.{n}") == "held_out"]
        if held and self.rng.random() < HELD_OUT_PREFERENCE:
            allowed = held
        name = self.rng.choice(allowed)
        ids = self.used.setdefault(family, [])
        if name not in ids:
            ids.append(name)
        return name

    def can(self, family: str, name: str) -> bool:
        """Whether this document may use ``family.name`` at all."""
        return self.split == "held_out" or split_of(f"{family}.{name}") == "tuning"

    def variant_ids(self) -> tuple[str, ...]:
        return tuple(sorted(f"{f}.{n}" for f, names in self.used.items() for n in names))
