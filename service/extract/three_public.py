"""三公经费 stated in sentences: each item's figure, budget, last year's figure and its
change against last year, however the sentence orders them.

Owns reading one 三公 item's stretch of a sentence (from its label to the next label) as a
run of cues and figures: a comparison (比上年 / 较上年度 / 同比 / 与2022年相比), a direction
(减少 / 下降 / 增长 …), a rate word (降幅 / 增幅), last year's or this year's figure (上年为 /
本年为), a budget word, and nil stated in words (未安排… / …为零). A direction after
unrelated words (投诉率下降2%, 接待批次减少3批次) is not the item's change. Also: the total
after its items (…，合计1.90万元), a total that is all one item (…，均为公务接待费), changes
stated respectively (A、B分别下降5%和12%), a vehicle bought told as a story in a 三公
paragraph (购置执法车1辆，支出14.5万元), and remarks without money skipped. Parts in brackets
after their whole, and figures restated in brackets: three_public_brackets.py. No change in
words (与上年持平) is a change of 0; a signed change (增减-1.44万元) takes its direction from
its sign; last year's budget (上年预算…) is neither column. A sentence without an item that
opens with a comparison (…7.20万元。比上年减少…) goes on about the one item before it, as
does the line after a label alone (公务接待费：). In a 三公 paragraph the vehicle's parts
may be named short (购置费, 运行维护费, 车辆运行费) or as all of the whole (…，全部为运行维护费).
Only what is written is read: a percentage alone gives no previous figure. The words come
from the lexicon (three_public.toml, budget.toml). Proposes ``Candidate``s; must not read
tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from service.extract.clauses import (
    ClauseBasis,
    Hit,
    LabelHit,
    LabelPatterns,
    find_labels,
    quantity_at,
    respective,
    words,
)
from service.extract.ground import Grounder
from service.extract.lexicon import lexicon
from service.extract.resolve import Candidate
from service.extract.stated_unit import with_stated_unit
from service.extract.text import Block, Place, sentences
from service.extract.three_public_brackets import (
    anchor,
    asides,
    parts_brackets,
    respective_restated,
    skip_aside,
    stretch_end,
    unbroken,
)
from service.extract.three_public_runs import (
    RunFigure,
    changes_right_after,
    columns_respectively,
    later_runs,
)
from service.records import Value
from service.records.numbers import MONEY_UNIT, Quantity

_ITEMS = ("total", "overseas", "reception", "vehicle", "vehicle_purchase", "vehicle_operation")
_TOKEN_KINDS = (
    "cmp",
    "flat",
    "rate_signed",
    "signed",
    "zero_after",
    "previous",
    "current",
    "budget",
    "final",
    "rate_down",
    "rate_up",
    "down",
    "up",
)
# The cues that let a sentence without an item go on about the item before it.
_CONTINUING = ("cmp", "flat", "previous", "down", "up", "rate_down", "rate_up")
_BARE_LABEL_END = re.compile(r"\s*[:：]?\s*")
_VEHICLE_PARTS = ("vehicle_purchase", "vehicle_operation")
_JOIN = re.compile(r"\s*(?:、|和|及|与|以及)\s*")
_YEAR_OR_DATE = re.compile(r"\d{4}\s*年(?:度|末|底)?(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?")
_CLEAN_CHARS = r"[\s,，、:：;；()（）“”\"了的为是达约共计分别均其中+＋]"


@cache
def _gap_parts() -> tuple[re.Pattern[str], ...]:
    """The pieces text between cues and figures may be made of without changing what they
    are about: the filler and neutral words, one clean character."""
    lex = lexicon()
    fragments = (*lex.words("filler"), *lex.words("tp_neutral"))
    return (re.compile(_CLEAN_CHARS), *(re.compile(f) for f in fragments))


def _clean_gap(src: str, pos: int, end: int) -> bool:
    """Whether ``src[pos:end]`` is made of gap pieces only. A search over the positions the
    pieces reach, each position once: one pattern ``(?:filler|neutral|chars)*`` backtracks
    exponentially over a long run of spaces it cannot match whole (a spaced table's row)."""
    if pos >= end:
        return True
    reached, todo = {pos}, [pos]
    while todo:
        at = todo.pop()
        for piece in _gap_parts():
            m = piece.match(src, at, end)
            if m is None or m.end() == at or m.end() in reached:
                continue
            if m.end() == end:
                return True
            reached.add(m.end())
            todo.append(m.end())
    return False


@cache
def _words(name: str) -> re.Pattern[str]:
    return re.compile(lexicon().words_pattern(name))


# A clause break, then the total of the items before it (，合计1.90万元).
_BREAK = re.compile(r"[，,；;。]\s*$")
_OTHER_COST = re.compile(r"[\u4e00-\u9fff]费")
_SAVED = re.compile(r"节约|节省")
# A bracketed remark; one without money (（公务用车保有量2辆）) is no item's statement.
_REMARK = re.compile(r"[(（][^()（）]*[)）]")
_MONEY_IN = re.compile(r"\d\s*(?:万元|元)|未|无|零")
_SPACES = re.compile(r"\s*")
_DIGIT = re.compile(r"[-−]?\d")
_OPEN_BRACKET = re.compile(r"\s*[(（]\s*")


@cache
def _tokens() -> re.Pattern[str]:
    lex = lexicon()
    sources = {
        "cmp": lex.words_pattern("year_comparison"),
        "flat": lex.words_pattern("tp_flat"),
        "rate_signed": lex.words_pattern("tp_rate_signed"),
        "signed": lex.words_pattern("tp_signed"),
        "zero_after": lex.words_pattern("tp_zero_after"),
        "previous": lex.words_pattern("tp_previous"),
        "current": lex.words_pattern("tp_current"),
        "budget": lex.words_pattern("budget_basis"),
        "final": lex.words_pattern("final_basis"),
        "rate_down": lex.words_pattern("tp_rate_down"),
        "rate_up": lex.words_pattern("tp_rate_up"),
        "down": lex.words_pattern("decrease_words"),
        "up": lex.words_pattern("increase_words"),
    }
    return re.compile("|".join(f"(?P<{k}>{sources[k]})" for k in _TOKEN_KINDS))


@cache
def _labels() -> LabelPatterns:
    lex = lexicon()
    return LabelPatterns(
        [
            (item, re.compile(pattern))
            for item in _ITEMS
            for pattern in lex.field(f"three_public.{item}.actual").label_patterns()
        ]
    )


@cache
def _mention_before() -> re.Pattern[str]:
    return re.compile(f"(?:{lexicon().words_pattern('tp_mention_before')})\\s*$")


@cache
def _in_context() -> list[tuple[str, re.Pattern[str]]]:
    """Labels that name a 三公 item only in a paragraph about them."""
    return [
        ("vehicle_purchase", _words("tp_purchase_story")),
        ("vehicle_purchase", _words("tp_purchase_short")),
        ("vehicle_operation", _words("tp_operation_short")),
    ]


@cache
def _labels_in_context() -> LabelPatterns:
    """The labels with those of ``_in_context`` (made once: a sentence asks for them)."""
    return _labels() + _in_context()


def _column_of(basis: ClauseBasis, pos: int) -> str:
    """The column a figure without a cue goes to: actual | budget | previous."""
    about = basis.of(pos)
    return {"final": "actual"}.get(about, about)


@cache
def _other_cost() -> re.Pattern[str]:
    return re.compile(f"(?:{lexicon().words_pattern('tp_other_cost')})\\s*$")


@cache
def _zero_before() -> re.Pattern[str]:
    lex = lexicon()
    words_ = f"{lex.words_pattern('tp_zero_before')}|{lex.words_pattern('tp_no_purchase')}"
    return re.compile(f"(?:{words_})(?:任何)?\\s*$")


@cache
def _last_years_word() -> re.Pattern[str]:
    """Last year's word at the end of a stretch (上年, 2022年的): a budget word after it is
    last year's budget."""
    return re.compile(f"(?:{words('previous_year').pattern})(?:同期)?的?\\s*$")


@cache
def _no_purchase() -> re.Pattern[str]:
    return re.compile(lexicon().words_pattern("tp_no_purchase"))


@cache
def _all_zero() -> re.Pattern[str]:
    return re.compile(f"\\s*(?:费用?|经费|支出)?\\s*(?:{lexicon().words_pattern('tp_all_zero')})")


@dataclass
class _State:
    """Reading one item's stretch: the cue waiting for a figure, and whether the stretch
    has wandered onto something else (a count, an unrelated direction)."""

    column: str  # where a figure without a cue goes: actual | budget | previous
    pending: str | None = None
    direction: str | None = None
    foreign: bool = False
    level_read: bool = False
    budgeted: bool = False  # a budget word read: 节约 after it is against the budget
    skip_figure: bool = False  # the next figure is last year's budget (上年预算8万元)
    last_money_end: int = -1
    level: Value | None = None  # the figure read as the item's level, for 均为<item>
    asides: list[tuple[int, int]] | None = None  # brackets of the item's parts, not its own


class _Reader:
    def __init__(self, g: Grounder, locator_of, year: int | None) -> None:  # noqa: ANN001
        self.g = g
        self.src = g.src
        self.locator_of = locator_of
        self.year = year
        self.out: list[Candidate] = []
        self.lex = lexicon()
        self._remarks: list[tuple[int, int]] = []

    def run(self) -> list[Candidate]:
        # Items of the paragraphs just before (label–value lines are a paragraph each): a
        # 合计 line after them is their total.
        carry: list[LabelHit] = []
        last: LabelHit | None = None
        for para in self.g.paragraphs():
            loc = Place(self.locator_of, para.start)
            # Words that are 三公 items only in a paragraph about them, or right after one (a
            # vehicle bought; 购置费 and 运行维护费 named short).
            items = find_labels(self.src, para.start, para.end, _labels())
            labels = _labels_in_context() if items or carry else _labels()
            # A sentence's one item, which the next sentence (or line) may go on about.
            last = last if not items else None
            if not (items or carry or last) and not _labels().candidates(
                self.src, para.start, para.end
            ):
                continue  # no item's words in it and none before it goes on: nothing to read
            for sent in unbroken(self.src, sentences(self.src, para.start, para.end)):
                before = carry + [h for h in items if h.start < sent.start]
                last = self._sentence(sent, loc, labels, before, last)
            carry = carry + items if items else []
        return self.out

    def _totals_after(
        self, sent: Block, hits: list[LabelHit], before: list[LabelHit]
    ) -> list[LabelHit]:
        """“…公务接待费0.30万元，合计1.90万元”: a 合计 after a clause break that follows the
        items' figures (two items at least, no other cost named after the last) is the
        三公 total."""
        out: list[LabelHit] = []
        if sum(h.key != "total" for h in (*before, *hits)) < 2:
            return out  # fewer than two items named so far: no run to total
        for m in _words("tp_total_after").finditer(self.src, sent.start, sent.end):
            lead = self.src[sent.start : m.start()]
            if lead.strip() and not _BREAK.search(lead):
                continue  # 收入合计, 三公经费合计: a label of its own, not a run's total
            items = [h for h in before + hits if h.end <= m.start()]
            if len([h for h in items if h.key != "total"]) < 2:
                continue
            if _OTHER_COST.search(self.src, items[-1].end, m.start()):
                continue  # 会议费1万元，合计…: the sum of other costs too
            out.append(LabelHit("total", m.start(), m.end()))
        return out

    def _aliases(self, hits: list[LabelHit]) -> tuple[list[LabelHit], dict[int, list[LabelHit]]]:
        """Items named right after the total's figure as all of it (…0.25万元，均为公务接待费;
        公务用车购置及运行维护费3.1万元，全部为运行维护费): taken out of the run (the whole's
        stretch goes on past them), by their owner."""
        kept: list[LabelHit] = []
        aliases: dict[int, list[LabelHit]] = {}
        for hit in hits:
            head = self.src[max(0, hit.start - 6) : hit.start]
            owner = kept[-1].key if kept else None
            whole = owner == "total" or (owner == "vehicle" and hit.key in _VEHICLE_PARTS)
            if whole and _words("tp_all_of").search(head):
                aliases.setdefault(len(kept) - 1, []).append(hit)
            else:
                kept.append(hit)
        return kept, aliases

    def _sentence(
        self,
        sent: Block,
        loc: Place,
        labels: LabelPatterns,
        before: list[LabelHit],
        last: LabelHit | None,
    ) -> LabelHit | None:
        """Reads one sentence; returns its item when it names just one, read in full."""
        hits = find_labels(self.src, sent.start, sent.end, labels)
        hits = sorted(hits + self._totals_after(sent, hits, before), key=lambda h: h.start)
        self._remarks = [
            (m.start(), m.end())
            for m in _REMARK.finditer(self.src, sent.start, sent.end)
            if not _MONEY_IN.search(m.group(0))
        ]
        hits = [h for h in hits if not self._in_remark(h.start) and not self._mention(h)]
        if not hits:  # it may go on about the item before (and the next one after it)
            return last if last is not None and self._continued(last, sent, loc) else None
        hits, aliases = self._aliases(hits)
        # Budget labels mask too: 一般公共预算 in a label is no budget clause.
        masked = [(h.start, h.end) for h in hits]
        basis = ClauseBasis(self.src, sent.start, sent.end, self.year, masked)
        figures, restatements = respective_restated(self.src, hits)
        paired = respective(self.src, hits) | figures
        runs, done = changes_right_after(self.src, hits)
        later, cut = later_runs(self.src, hits, sent.end)
        parts = parts_brackets(self.src, hits, sent.start, sent.end)
        for figure in runs + later:
            self._run_figure(hits[figure.index], figure, basis, loc)
        nil = self._nil_groups(hits, basis, loc) | done
        for k, hit in enumerate(hits):
            column = _column_of(basis, anchor(parts, hit.start))
            if k in nil:
                continue
            if k in paired:  # 因公出国费、公务接待费分别为0万元、1.20万元
                found = paired[k]
                if found.kind == "money":
                    v = self.g.quantity(found.q, found.offset, f"{loc} cue:分别")
                    self._add(hit.key, column, v)
                if (b := restatements.get(k)) is not None:  # 1.20万元（上年1.35万元）
                    self._item(hit, b.end - 1, _State(column, level_read=True), loc, b.start + 1)
                continue
            end = stretch_end(hits, k, parts, cut)
            level = self._item(hit, end, _State(column=column, asides=asides(parts, k)), loc)
            for alias in aliases.get(k, []) if level is not None else []:
                self._add(alias.key, "actual", level)
        # A whole with its parts in brackets is the sentence's one item.
        top = [k for k in range(len(hits)) if anchor(parts, hits[k].start) == hits[k].start]
        single = len(top) == 1 and not (nil | set(paired)) & set(top) and not aliases
        one = hits[top[0]] if single else None
        return one if one and _column_of(basis, one.start) == "actual" else None

    def _continued(self, hit: LabelHit, sent: Block, loc: Place) -> bool:
        """““三公”经费支出7.20万元。比上年减少1.44万元，下降16.7%。” / “…。上年为8.64万元。”:
        a sentence without an item that opens with a comparison, a direction or last year's
        word goes on about the one item of the sentence before; after a label alone on its
        line (公务接待费：), whatever follows is its statement."""
        if _BARE_LABEL_END.fullmatch(self.src, hit.end, sent.start):
            self._item(hit, sent.end, _State(column="actual"), loc, sent.start)
            return True
        lead = _SPACES.match(self.src, sent.start, sent.end)
        tok = _tokens().match(self.src, lead.end() if lead else sent.start, sent.end)
        if tok is None or tok.lastgroup not in _CONTINUING:
            return False
        self._item(hit, sent.end, _State(column="actual", level_read=True), loc, sent.start)
        return True

    def _run_figure(self, hit: LabelHit, figure: RunFigure, basis: ClauseBasis, loc: Place) -> None:
        """One figure of a run stated respectively (分别…)."""
        v = self.g.quantity(figure.found.q, figure.found.offset, f"{loc} cue:{figure.cue}")
        if figure.column == "level":
            self._add(hit.key, _column_of(basis, hit.start), v)
        else:
            self._add(hit.key, figure.column, v.model_copy(update={"direction": figure.direction}))

    def _nil_groups(self, hits: list[LabelHit], basis: ClauseBasis, loc: Place) -> set[int]:
        """Items joined by 、/和 and stated nil together: “未发生因公出国（境）费和公务用车
        购置费” / “…、…均为零”. Each gets a zero; returns their indices."""
        done: set[int] = set()
        i = 0
        while i < len(hits):
            j = i
            while j + 1 < len(hits) and _JOIN.fullmatch(self.src, hits[j].end, hits[j + 1].start):
                j += 1
            before = _zero_before().search(self.src, max(0, hits[i].start - 8), hits[i].start)
            after = _all_zero().match(self.src, hits[j].end)
            if j > i and (before or after):
                start = before.start() if before else hits[i].start
                end = after.end() if after else hits[j].end
                for k in range(i, j + 1):
                    about = basis.of(hits[k].start)
                    column = {"final": "actual"}.get(about, about)
                    self._zero(self._purchase(hits[k], before), column, start, end, loc)
                    done.add(k)
            i = j + 1
        return done

    def _mention(self, hit: LabelHit) -> bool:
        """Whether the label only mentions its item (占三公经费的…, 2辆公务用车的…)."""
        head = self.src[max(0, hit.start - 6) : hit.start]
        return bool(_mention_before().search(head))

    def _in_remark(self, pos: int) -> int:
        """The end of the money-less remark holding ``pos``, else 0."""
        return next((e for s, e in self._remarks if s < pos < e), 0)

    def _purchase(self, hit: LabelHit, before: re.Match[str] | None) -> str:
        """未购置公务用车: the vehicle not bought is the purchase item."""
        if hit.key == "vehicle" and before and _no_purchase().search(before.group(0)):
            return "vehicle_purchase"
        return hit.key

    def _add(self, item: str, column: str, value: Value) -> None:
        path = f"three_public.{item}.{column}"
        entry = self.lex.get(path) or self.lex.field(f"three_public.{item}.actual")
        if value.number is not None and not entry.in_range(abs(value.number)):
            return
        self.out.append(Candidate(path, value, "prose"))

    def _zero(self, item: str, column: str, start: int, end: int, loc: Place) -> None:
        q = Quantity(value=0, unit=MONEY_UNIT, start=0, end=end - start)
        self._add(item, column, self.g.quantity(q, start, f"{loc} cue:nil in words"))

    def _item(
        self, hit: LabelHit, end: int, st: _State, loc: Place, start: int | None = None
    ) -> Value | None:
        """Reads one item's stretch (from its label, or from ``start`` in a sentence that
        goes on about it); returns the figure read as its level (this year's)."""
        before = (
            None if start else _zero_before().search(self.src, max(0, hit.start - 8), hit.start)
        )
        if before:
            self._zero(self._purchase(hit, before), st.column, before.start(), hit.end, loc)
            st.level_read = True
        pos = hit.end if start is None else start
        if start is None:  # 预算数、决算数、上年决算数分别为…
            run, pos = columns_respectively(self.src, pos, end, self.year)
            for column, found in run:
                self._add(
                    hit.key, column, self.g.quantity(found.q, found.offset, f"{loc} cue:分别")
                )
            st.level_read = st.level_read or bool(run)
        while pos < end:
            nxt = self._next(pos, end)
            if nxt is None:
                break
            start, stop, kind, found = nxt
            if skip := self._in_remark(start) or skip_aside(st.asides, start):
                pos = skip  # （公务用车保有量2辆）, （其中购置费…）: not the item's figures
                continue
            if not _clean_gap(self.src, pos, start):
                # Words between: a direction now belongs to whatever they name (投诉率下降).
                st.pending, st.direction = None, None
                if kind in ("down", "up", "rate_down", "rate_up"):
                    st.foreign = True
            self._step(hit, st, start, stop, kind, found, loc)
            pos = stop
        return st.level if st.column == "actual" else None

    def _next(self, pos: int, end: int) -> tuple[int, int, str, Hit | None] | None:
        """The next cue or figure in [pos, end): (start, end, kind, figure)."""
        tok = _tokens().search(self.src, pos, end)
        num = _DIGIT.search(self.src, pos, end)
        while num is not None and (y := _YEAR_OR_DATE.match(self.src, num.start())):
            kind = self._year_kind(y.group(0))
            if kind is not None and (tok is None or y.start() < tok.start()):
                return y.start(), y.end(), kind, None  # “2022年为9.60万元，2023年为7.20万元”
            num = _DIGIT.search(self.src, y.end(), end)
        if num is not None and (tok is None or num.start() < tok.start()):
            found = _percent_before_level(self.src, num.start()) or quantity_at(
                self.src, num.start()
            )
            if found is None:
                return num.start(), num.end(), "other", None
            found = with_stated_unit(self.src, pos, found)  # 公务接待费（万元）：1.20
            return found.start, found.end, found.kind, found
        if tok is None:
            return None
        return tok.start(), tok.end(), tok.lastgroup or "", None

    def _year_kind(self, year: str) -> str | None:
        """previous | current for last year or the report's year (not a date), else None."""
        if self.year is None or "月" in year:
            return None
        return {self.year - 1: "previous", self.year: "current"}.get(int(year[:4]))

    def _direction(self, st: _State, kind: str, start: int) -> None:
        """A direction word: the change's, unless it is 节约 against the budget read before
        (“预算4万元，实际支出3.2万元，节约0.8万元”) or the stretch wandered off."""
        if st.budgeted and _SAVED.match(self.src, start):
            st.foreign = True
        if not st.foreign:
            st.pending = "rate" if kind.startswith("rate") else "dir"
            st.direction = "下降" if kind.endswith("down") else "增长"

    def _step(
        self,
        hit: LabelHit,
        st: _State,
        start: int,
        stop: int,
        kind: str,
        found: Hit | None,
        loc: Place,
    ) -> None:
        if kind == "money" and found is not None:
            self._money(hit, st, found, loc)
        elif kind == "percent" and found is not None:
            self._signed_after_comparison(st, found)
            if st.pending in ("dir", "rate", "signed", "rate_signed") and not st.foreign:
                v = self.g.quantity(found.q, found.offset, f"{loc} cue:{self._cue(hit, st)}")
                self._add(hit.key, "change_pct", _directed(v, st))
            st.pending = None
        elif kind in ("count", "number", "other"):
            st.foreign, st.pending = True, None
        elif kind in ("flat", "zero_after"):
            self._nil_words(hit, st, start, stop, kind, loc)
        else:
            self._cue_word(hit, st, start, stop, kind)

    def _cue_word(self, hit: LabelHit, st: _State, start: int, stop: int, kind: str) -> None:
        """A word saying what the next figure is: a comparison, a direction, a basis."""
        if kind == "cmp":
            # “…，比上年减少” speaks of this item again, unless another cost stands right
            # before it (培训费较上年减少…).
            other = _other_cost().search(self.src, max(hit.end, start - 6), start)
            st.pending, st.foreign = "cmp", bool(other)
            st.budgeted = False  # “比上年节约…”: against last year after all
        elif kind in ("down", "up", "rate_down", "rate_up"):
            self._direction(st, kind, start)
            if st.pending == "dir" and _words("tp_level_after").match(self.src, stop):
                st.pending = "current"  # 减少到3.10万元: the level reached
        elif kind in ("signed", "rate_signed"):
            st.pending = None if st.foreign else kind
        elif kind == "budget" and self._last_years(st, start):
            # 上年预算8万元: neither this year's budget nor last year's spending; after a
            # comparison (比上年预算减少…) the change is against it, no year-on-year change
            st.foreign = st.foreign or st.pending == "cmp"
            st.pending, st.skip_figure = None, True
        elif kind in ("previous", "current", "budget", "final"):
            # “较上年决算9.60万元”, “2022年决算数8.64万元”: a basis word after a comparison
            # or last year's word says what was compared
            if not (st.pending in ("cmp", "previous") and kind in ("final", "previous")):
                st.pending = kind
            st.budgeted = st.budgeted or kind == "budget"

    def _nil_words(
        self, hit: LabelHit, st: _State, start: int, stop: int, kind: str, loc: Place
    ) -> None:
        """Nil in words: the item's level (…为零), or no change after a comparison (与上年
        持平)."""
        if kind == "flat" and st.pending == "cmp" and not st.foreign:
            self._zero(hit.key, "change", start, stop, loc)
        elif kind == "zero_after" and not st.level_read and not st.foreign:
            self._zero(hit.key, self._column(st), hit.start, stop, loc)
            st.level_read = True
        st.pending = None

    def _last_years(self, st: _State, start: int) -> bool:
        """Whether a budget word at ``start`` follows last year's word right before it."""
        if st.pending == "previous":
            return True
        head = self.src[max(0, start - 8) : start]
        return bool(_last_years_word().search(head))

    def _column(self, st: _State) -> str:
        return {"previous": "previous", "cmp": "previous", "budget": "budget"}.get(
            st.pending or "", "actual" if st.pending in ("current", "final") else st.column
        )

    def _money(self, hit: LabelHit, st: _State, found: Hit, loc: Place) -> None:
        # “2.4万元（24,000元）”: the same figure again in another unit.
        if st.last_money_end >= 0 and _OPEN_BRACKET.fullmatch(
            self.src, st.last_money_end, found.start
        ):
            return
        st.last_money_end = found.end
        if st.skip_figure:
            st.skip_figure, st.pending = False, None
            return
        if st.foreign:
            return
        self._signed_after_comparison(st, found)
        v = self.g.quantity(found.q, found.offset, f"{loc} cue:{self._cue(hit, st)}")
        if st.pending in ("dir", "signed"):
            self._add(hit.key, "change", _directed(v, st))
        elif st.pending in ("previous", "cmp", "current", "final", "budget"):
            self._add(hit.key, self._column(st), v)
            st.level_read = st.level_read or self._column(st) == st.column
        elif not st.level_read:
            self._add(hit.key, st.column, v)
            st.level_read, st.level = True, v
        st.pending = None

    def _signed_after_comparison(self, st: _State, found: Hit) -> None:
        """“同比-8.6%”, “比上年-0.29万元”: a figure with its sign right after a comparison is
        the change, not last year's figure."""
        if st.pending == "cmp" and re.search(
            r"[-−+＋]", self.src[found.start - 1 : found.start + 1]
        ):
            st.pending = "signed"

    def _cue(self, hit: LabelHit, st: _State) -> str:
        label = self.src[hit.start : hit.end].strip()
        return f"{label}/{st.pending}" if st.pending else label


# “下降8.6%至3.10万元”: a rate, then the level reached (no range of 8.6 to 3.10).
_PERCENT_THEN_LEVEL = re.compile(r"[-−]?\d[\d,.]*\s*[%％](?=\s*(?:至|到)\s*\d)")


def _percent_before_level(src: str, pos: int) -> Hit | None:
    m = _PERCENT_THEN_LEVEL.match(src, pos)
    found = quantity_at(m.group(0), 0) if m else None
    return Hit(found.q, pos, "percent") if found is not None else None


def _directed(v: Value, st: _State) -> Value:
    """The change with its direction: the direction word's, or for a signed change
    (增减-1.44万元) the figure's sign."""
    if st.pending not in ("signed", "rate_signed"):
        return v.model_copy(update={"direction": st.direction})
    n = v.number or 0
    return v.model_copy(update={"direction": "下降" if n < 0 else "增长" if n > 0 else None})


def three_public_candidates(g: Grounder, locator_of, year: int | None) -> list[Candidate]:  # noqa: ANN001
    """Every 三公 figure stated in the prose. ``locator_of(offset)`` names the section."""
    return _Reader(g, locator_of, year).run()


__all__ = ["three_public_candidates", "words"]
