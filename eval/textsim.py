"""Text normalisation and similarity for the scorer: pure functions, no I/O.

Owns: the one normaliser every text comparison uses (NFKC, full/half width, whitespace,
punctuation, case), Levenshtein distance, normalised Levenshtein similarity (ANLS), and a
fast character-bigram similarity used only to *match* records before scoring them.
Must not touch: records, files, the extractor.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

ANLS_THRESHOLD = 0.5
"""Below this normalised Levenshtein similarity a long-text answer scores 0 (the usual ANLS τ)."""


def normalize(text: str) -> str:
    """NFKC (full-width digits/letters/punctuation → ASCII), lower case, and every whitespace
    and punctuation character (Unicode category P*, e.g. ，。、（）“”) removed. Symbols such
    as ``%`` or ``≥`` are kept: they change meaning."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(
        ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P")
    )


def squash_ws(text: str) -> str:
    """NFKC with all whitespace removed: used for grounding, where punctuation must stay."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insert, delete, substitute cost 1).

    Bit-parallel (Myers 1999 / Hyyrö 2001) with Python's unbounded ints as the bit vector,
    so a pair of 300-character sentences costs 300 big-int steps instead of 90,000 cells:
    the evaluation compares thousands of such pairs."""
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(b):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    last = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
    return score


def nls(a: str, b: str) -> float:
    """Normalised Levenshtein similarity of the normalised strings, 0..1 (1 = identical)."""
    a, b = normalize(a), normalize(b)
    if not a and not b:
        return 1.0
    return 1.0 - levenshtein(a, b) / max(len(a), len(b))


def anls(expected: str, got: str, threshold: float = ANLS_THRESHOLD) -> float:
    """ANLS for one answer: the NLS if it reaches ``threshold``, else 0."""
    sim = nls(expected, got)
    return sim if sim >= threshold else 0.0


def name_similarity(a: str, b: str) -> float:
    """Similarity of two short names (indicator level3, project name): NLS, raised to 0.85
    when one normalised name contains the other and the shorter has ≥4 characters (a project
    named with or without its trailing 支出/经费 is the same project)."""
    na, nb = normalize(a), normalize(b)
    sim = nls(a, b)
    short, long_ = sorted((na, nb), key=len)
    if len(short) >= 4 and short in long_:
        sim = max(sim, 0.85)
    return sim


def _bigrams(text: str) -> Counter[str]:
    if len(text) < 2:
        return Counter([text]) if text else Counter()
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def dice(a: str, b: str) -> float:
    """Sørensen–Dice coefficient of the normalised strings' character bigrams, 0..1.
    Cheap enough for every predicted × labelled pair; used for matching only."""
    ga, gb = _bigrams(normalize(a)), _bigrams(normalize(b))
    total = sum(ga.values()) + sum(gb.values())
    if total == 0:
        return 1.0
    return 2 * sum((ga & gb).values()) / total
