"""Figures stated in sentences: budget, income and expenditure (the 三公 items through
three_public.py) and the detailed 基本支出 breakdown.

Owns: which budget field a prose label is (the labels, units and ranges are the lexicon's,
budget.toml), accepting the figure clauses.py reads after it — of the field's kind, in its
range, in a clause about this year's final figure (not the budget unless the field is a
budget, not last year), not a named project's or fund's (（1）某某项目：全年支出…) — with
the cue that read it in the locator; a whole stated after its parts when it is their sum
(工资福利…，商品服务…，两项合计… is 基本支出; 基本支出…，项目支出…，合计… the total expenditure);
the whole income of one source (收入450万元，均为财政拨款); the 占比 statements for the checks;
and the enumerations after “具体情况为：”; the same in a table cell written as a sentence
(a form's 总体评价 cell, “人员经费：660万元” in one cell). Proposes ``Candidate``s and
records; never resolves. Must not read a table's grid (rows × columns: tables.py does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from service.document import Document
from service.extract.clauses import (
    ClauseBasis,
    Hit,
    LabelHit,
    LabelPatterns,
    find_labels,
    past_change_end,
    quantity_at,
    report_year,
    respective,
    value_after,
    value_before,
    value_named_again,
    value_past_change,
    words,
)
from service.extract.enumerate import inline_items
from service.extract.ground import Grounder
from service.extract.lexicon import lexicon
from service.extract.resolve import Candidate
from service.extract.stated_unit import with_stated_unit
from service.extract.subjects import named_paragraph, other_subject, part_title, sentence_subject
from service.extract.text import Block, Place, sentences
from service.extract.three_public import three_public_candidates
from service.records import ExpenseItem, Value

_BUDGET_FIELDS = ("budget.initial_budget", "budget.full_year_budget")
# Fields read by their own code below (the basic-expenditure adjustment carries a direction
# in its label) or by other passes (tables).
_SPECIAL = ("budget.basic_budget_adjustment",)
_SHARE_PARTS = ("budget.personnel_expenditure", "budget.public_expenditure")
_SHARE_WHOLES = ("budget.basic_expenditure", "budget.total_expenditure")
# How far back a bare 财政拨款 looks for the income or expenditure it belongs to.
_INCOME_LOOKBACK = 120
_EXPENDITURE_PARTS = ("budget.basic_expenditure", "budget.project_expenditure")
# Where a statement stands: a paragraph's place, or a table cell's name.
Loc = Place | str


def _compiled(prefixes: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    return [
        (e.path, re.compile(pattern))
        for prefix in prefixes
        for e in lexicon().fields(prefix)
        if not e.is_list
        for pattern in e.label_patterns()
    ]


@cache
def _account_labels(proxies: tuple[str, ...]) -> tuple[LabelPatterns, re.Pattern[str]]:
    """Every money/三公 label with the proxy labels named (``_PROXIES``), and one pattern
    of them all; made once per combination of proxies (there are four)."""
    lex = lexicon()
    labels = LabelPatterns(
        _compiled(("budget.", "three_public."))
        + [
            (path, re.compile(lex.words_pattern(proxy)))
            for path, proxy, _ in _PROXIES
            if proxy in proxies
        ]
    )
    return labels, re.compile("|".join(rx.pattern for _, rx in labels))


@dataclass
class Share:
    """“X占Y的p%”: checked against the figures it names."""

    part_path: str
    whole_path: str
    part: Value
    percent: Value


@dataclass
class ProseOutput:
    candidates: list[Candidate] = field(default_factory=list)
    basic_breakdown: list[ExpenseItem] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)


class _Scanner:
    def __init__(self, g: Grounder, locator_of) -> None:  # noqa: ANN001
        self.g = g
        self.text = g.src
        self.locator_of = locator_of
        self.out = ProseOutput()
        self.year = report_year(g.doc.text)
        # Every money/三公 label takes part, so that one field's label stops another's
        # reading; only budget fields are read here (三公: three_public.py).
        self.labels, self._accounts = _account_labels(_proxies(g.src))
        self.lex = lexicon()
        # A label of the accounts with its own figure: a statement before this one.
        self._stated = re.compile(
            rf"(?:{self._accounts.pattern})(?:[^，,；;。\d]{{0,6}}?\d[\d.,]*\s*(?:万元|元|亿元|%)"
            r"|\s*(?:、|和|及|与|以及)\s*$)"
        )

    def run(self) -> ProseOutput:
        lines: list[Block] = []  # the short paragraphs just before: parts, one a line
        for para in self.g.paragraphs():
            loc = Place(self.locator_of, para.start)
            self._paragraph(para, loc)
            if lines and _TOTAL_LINE.match(self.text, para.start, para.end):
                # “财政拨款收入：X元\n其他收入：Y元\n合计：Z元”: the parts' lines and their sum
                self._parts_total(Block(lines[0].start, para.end), loc)
            short = para.end - para.start <= _LINE_CHARS
            lines = [*lines, para][-_PART_LINES:] if short else []
        self.out.candidates += three_public_candidates(self.g, self.locator_of, self.year)
        return self.out

    def _paragraph(self, para: Block, loc: Loc) -> None:
        # A paragraph without any label's words has no label in any of its sentences.
        if self.labels.candidates(self.text, para.start, para.end):
            self._labelled(para, loc)
        for whole in _full_sentences(self.text, para):  # parts may be listed with ；
            self._parts_total(whole, loc)
        self._breakdown(para, loc)

    def _labelled(self, para: Block, loc: Loc) -> None:
        """The statements of the paragraph's labels, sentence by sentence."""
        # “（一）农村公路养护项目。全年预算300万元，实际支出296.4万元。”: a paragraph that
        # opens with a bare name of its own speaks of that subject throughout
        self._para_subject = named_paragraph(self.text, para)
        for sent in sentences(self.text, para.start, para.end):
            # A label at the end of a paragraph (“收入合计：”) may have its figure on the
            # next line, which the prose view keeps as the next paragraph.
            end = sent.end if sent.end < para.end else self._spill(para.end)
            hits = find_labels(self.text, sent.start, sent.end, self.labels)
            # Labels in a remark without figures explain the one before (执行率（全年执行数/
            # 全年预算数）为…, 执行率=实际支出/全年预算=…): no statements of their own.
            remarks = [m.span() for m in _REMARK.finditer(self.text, sent.start, sent.end)]
            hits = [h for h in hits if not any(a < h.start < b for a, b in remarks)]
            hits = self._without_restatements(hits)
            if not hits:
                continue  # most sentences name no label: nothing of theirs to read
            # A label says what it is (一般公共预算收入 is no budget clause), except the
            # budget's own labels, which make their clause one about the budget.
            masked = [(h.start, h.end) for h in hits if h.key not in _BUDGET_FIELDS]
            basis = ClauseBasis(self.text, sent.start, sent.end, self.year, masked)
            paired = respective(self.text, hits)
            self._subject = self._budget_subject(sent)
            # “（1,087.30万元用于人员经费，…）”: a figure before its own label is no
            # figure of a label before it
            before = [value_before(self.text, sent.start, h.start, h.end) for h in hits]
            claimed = {b.start for b in before if b is not None}
            for k, hit in enumerate(hits):
                if hit.key in _BUDGET_FIELDS and k and self._modifies(hits[k - 1], hit):
                    continue  # “三公经费全年预算5万元”: the budget of that field, not the total
                if hit.key.startswith("budget."):
                    limit = hits[k + 1].start if k + 1 < len(hits) else end
                    found = (
                        paired.get(k)
                        or before[k]
                        or value_named_again(self.text, sent.start, hit.start, hit.end)
                        or value_past_change(self.text, hit.end, limit)
                        or value_after(self.text, hit.end, limit)
                        or self._past_own_budget(hits, k, end)
                    )
                    if found is not None:  # 收入合计（元）：12,345,600.00
                        found = with_stated_unit(self.text, hit.end, found)
                    if found is not None and found is not before[k] and found.start in claimed:
                        found = None
                    self._field(hit, found, basis, sent, loc)

    def _parts_total(self, sent: Block, loc: Loc) -> None:
        """A total stated after its parts, when it is their sum: “工资福利支出300万元，商品服务
        支出40万元，两项合计340万元” is 基本支出 (two parts, one of each class, are the
        personnel and public figures); “基本支出800万元，项目支出200万元，合计1000万元” the
        total expenditure; income sources then 合计 the total income."""
        if not _words("parts_total").search(self.text, sent.start, sent.end):
            return  # no 合计 word: no total after any parts (most sentences)
        for whole, parts_rx in _part_groups():
            parts: list[tuple[str, Hit]] = []
            found_at = parts_rx.finditer(self.text, sent.start, sent.end)
            named = [LabelHit(m.group(0), m.start(), m.end()) for m in found_at]
            paired = respective(self.text, named)  # 财政拨款收入、其他收入分别为…，合计…
            for k, h in enumerate(named):
                found = paired.get(k) or value_after(self.text, h.end, min(sent.end, h.end + 12))
                if found is not None and found.kind == "money":
                    parts.append((h.key, found))
            total = self._sum_after(parts, sent) if len(parts) > 1 else None
            if total is None:
                continue
            self._add(whole, self.g.quantity(total.q, total.offset, f"{loc} cue:合计"))
            if whole == "budget.basic_expenditure" and len(parts) == 2:
                for (name, hit), path in zip(parts, self._classes(parts), strict=True):
                    if path:
                        self._add(path, self.g.quantity(hit.q, hit.offset, f"{loc} cue:{name}"))

    def _sum_after(self, parts: list[tuple[str, Hit]], sent: Block) -> Hit | None:
        """The figure after a 合计 word past the last part, when it is the parts' sum."""
        total_at = _words("parts_total").search(self.text, parts[-1][1].end, sent.end)
        total = value_after(self.text, total_at.end(), sent.end) if total_at else None
        if total is None or total.kind != "money" or total.q.value is None:
            return None
        numbers = [float(h.q.value or 0) * _scale(h) for _, h in parts]
        if abs(sum(numbers) - float(total.q.value) * _scale(total)) > 0.006 * len(parts):
            return None  # not these parts' sum
        return total

    def _classes(self, parts: list[tuple[str, Hit]]) -> list[str | None]:
        """personnel / public for two parts, one of each class; else nothing."""
        personnel = _words("personnel_part")
        public = _words("public_part")
        first, second = (name for name, _ in parts)
        if personnel.fullmatch(first) and public.fullmatch(second):
            return ["budget.personnel_expenditure", "budget.public_expenditure"]
        if public.fullmatch(first) and personnel.fullmatch(second):
            return ["budget.public_expenditure", "budget.personnel_expenditure"]
        return [None, None]

    def _spill(self, end: int) -> int:
        nxt = self.text.find("\n\n", end + 2)
        return min(len(self.text), end + 40 if nxt == -1 else min(nxt, end + 40))

    def _without_restatements(self, hits: list[LabelHit]) -> list[LabelHit]:
        """“基本支出实际支出810万元”, “人员经费决算支出650万元”: a generic total's label
        (实际支出, 决算支出, 累计支出) right after another budget label says that label's
        stage, it is no statement of the total."""
        out: list[LabelHit] = []
        for hit in hits:
            prev = out[-1] if out else None
            if (
                prev is not None
                and prev.key.startswith("budget.")
                and prev.key != hit.key
                and hit.key in _GENERIC_TOTALS
                and _STAGE_WORD.match(self.text, hit.start)
                and not self.text[prev.end : hit.start].strip()
            ):
                continue
            out.append(hit)
        return out

    def _whose(self, hit: LabelHit, found: Hit, sent: Block) -> tuple[LabelHit, Hit, Block] | None:
        """The label, figure and sentence a statement is really of, or None when its figure
        is no final figure of this year for any field."""
        past = past_change_end(self.text, hit.end, found.start + 1)
        if past == found.start:
            return hit, found, sent  # “较上年的…增加…，达到520.3万元”: this year's, past the base
        gap = _REMARK.sub("", self.text[hit.end : found.end])  # with the figure: 预算(?=\d)
        before = self.text[max(sent.start, hit.start - 12) : hit.start]
        base = _COMPARED_BASE.search(_REMARK.sub("", self.text[hit.end : found.start]))
        if base or _COMPARED_LEAD.search(before):
            return None  # “人员经费较上年的600万元…”, “与上年人员经费600万元相比”: the base
        if hit.key not in _BUDGET_FIELDS and (
            words("budget_basis").search(gap) or _previous_in(gap)
        ):
            # “人员经费预算660万元，决算650万元”, “人员经费由上年的600万元增加到…”: that
            # figure is the budget's or last year's; a final figure may follow
            final = self._final_after(found, sent)
            if final is None:
                return None
            found = final
        if hit.key not in _GENERIC_TOTALS:
            return hit, found, sent
        if (
            self._subject is not None
            and self._subject[1] <= hit.start
            and _STAGE_LED.match(self.text, hit.start)
        ):
            # “人员经费全年预算660万元，实际支出650万元”: the subject's final figure;
            # “某某项目预算80万元，实际支出78万元”: that item's, no field's
            key = self._subject[0]
            return None if key is None else (LabelHit(key, hit.start, hit.end), found, sent)
        topic = self._topic(sent.start, hit.start)
        if topic is not None:
            # “在人员经费方面，全年支出660万元”: the spending of the topic, not the total
            return LabelHit(topic[0], hit.start, hit.end), found, Block(topic[1], sent.end)
        return hit, found, sent

    def _budget_subject(self, sent: Block) -> tuple[str | None, int] | None:
        """(field or None, end of the first clause) when the sentence opens with a subject
        and its budget (人员经费全年预算660万元，… / 基本支出：预算820万元，… / 某某项目预算
        80万元，…): a stage-led total's label after it (实际支出) is that subject's final
        figure — the field's when the subject is an accounts label, no field's (None) when
        it names something else."""
        if self.text.find("预算", sent.start, sent.end) < 0:
            return None  # no budget word (a find: the opening's pattern backtracks)
        m = _BUDGET_OPENING.match(self.text, sent.start, sent.end)
        if m is None:
            return None
        name = re.sub(r"\s+", "", m.group("name"))
        key = next((k for k, rx in self.labels if rx.fullmatch(name)), None)
        if key is not None and (
            not key.startswith("budget.") or key in _GENERIC_TOTALS or key in _BUDGET_FIELDS
        ):
            return None  # 支出合计预算…，实际支出…: the total's own budget and final figure
        if key is None and not re.search(rf"(?:{words('other_subject').pattern}|费)$", name):
            return None  # 本单位年初预算…, 2023年部门预算…: the accounts, no other subject
        return key, m.end()

    def _final_after(self, budget: Hit, sent: Block) -> Hit | None:
        """The figure of a clause right after a budget or last year's figure that names only
        the stage (，决算650万元 / ，实际650万元 / ，本年650万元): the field's final figure."""
        m = _FINAL_CLAUSE.match(self.text, budget.end, sent.end)
        if m is None:
            return None
        found = quantity_at(self.text, m.end())
        return found if found is not None and found.kind == budget.kind else None

    def _topic(self, start: int, pos: int) -> tuple[str, int] | None:
        """(field, end) of a topic the sentence opens with (在人员经费方面，… / 人员经费
        方面：…) when it is a budget money field's label."""
        m = _TOPIC.match(self.text, start, pos)
        if m is None:
            return None
        hits = find_labels(self.text, m.start("name"), m.end("name"), self.labels)
        if len(hits) != 1 or (hits[0].start, hits[0].end) != m.span("name"):
            return None
        key = hits[0].key
        if not key.startswith("budget.") or self.lex.field(key).kind != "money":
            return None
        return key, m.end()

    def _past_own_budget(self, hits: list[LabelHit], k: int, end: int) -> Hit | None:
        """“收入：年初预算1,300万元，决算1,234.56万元”: the figure of the label's own budget
        right after it; ``_whose`` then takes the final figure after it, or nothing."""
        nxt = hits[k + 1] if k + 1 < len(hits) else None
        if nxt is None or nxt.key not in _BUDGET_FIELDS or not self._modifies(hits[k], nxt):
            return None
        return value_after(self.text, nxt.end, hits[k + 2].start if k + 2 < len(hits) else end)

    def _modifies(self, before: LabelHit, hit: LabelHit) -> bool:
        """Whether ``hit`` (a budget word) qualifies the label right before it in its
        clause: nothing but filler between the two."""
        gap = self.text[before.end : hit.start]
        return not _FIGURE_OR_BREAK.search(gap) and len(gap.strip()) <= 4

    def _named_lead(self, start: int, pos: int) -> bool:
        """Whether a “名称：” before the label in its sentence names something other than
        the accounts ((1)某某项目：预算…，实际支出…): each lead before a colon must be a
        heading (收支情况, 其中, 决算情况) or a label of the accounts."""
        for seg in _COLON.split(self.text[start:pos])[:-1]:
            # The words right before the colon (a figure or a bracket ends what came before;
            # a year before a heading is part of it: 2023年资金来源：).
            seg = _A_YEAR.sub("", seg)
            # “支出合计500万元：基本支出…”: the accounts' total stated, its parts after
            stated = _WORDS_BEFORE_FIGURE.search(seg)
            tail = stated or _WORDS_AT_END.search(seg)
            head = tail.group(0) if tail else ""
            head = _THIS_YEAR_LEAD.sub("", head) if stated else head
            if head and not (
                words("lead_heading").fullmatch(head)
                or self._accounts.fullmatch(head)
                or part_title(head)  # 四、部门整体支出绩效情况：…
            ):
                return True
        return False

    def _add(self, path: str, value: Value | None) -> None:
        if value is not None:
            self.out.candidates.append(Candidate(path, value, "prose"))

    def _field(
        self, hit: LabelHit, found: Hit | None, basis: ClauseBasis, sent: Block, loc: Loc
    ) -> None:
        entry = self.lex.field(hit.key)
        if found is None or found.kind != entry.kind:
            return  # a percentage is never money, a count never a rate
        if not entry.in_range(abs(float(found.q.value or 0))) or found.q.value is None:
            return
        about = basis.of(hit.start)
        if about == "previous" or (about == "budget" and hit.key not in _BUDGET_FIELDS):
            return
        settled = self._whose(hit, found, sent)
        if settled is None:
            return
        hit, found, sent = settled
        entry = self.lex.field(hit.key)
        lead = self.text[_clause_start(self.text, sent.start, hit.start) : hit.start]
        # The accounts' statements before it (人员经费210.40万元、公用经费…) name no other
        # subject; what is left may (项目支出主要用于人员经费…, 安保经费…、公用经费补助…).
        if (
            other_subject(self._unstated(lead))
            or self._named_lead(sent.start, hit.start)
            or sentence_subject(self.text, sent.start, hit.start - len(lead))
            or (self._para_subject is not None and hit.start >= self._para_subject)
        ):
            return
        clause = lead + self.text[hit.start : found.start]
        if entry.excludes and re.search(entry.excludes_pattern(), clause):
            return
        cue = self.text[hit.start : hit.end].strip()
        v = self.g.quantity(found.q, found.offset, f"{loc} cue:{cue}")
        if hit.key in _SPECIAL:
            direction = "下降" if re.match(r"调减|减少", cue) else "增长"
            v = v.model_copy(update={"direction": direction})
        if hit.key == "budget.income_general_budget" and not self._under_income(hit, cue):
            return
        self._add(hit.key, v)
        if hit.key == "budget.total_income" and _words("income_all_general").match(
            self.text, found.end
        ):
            self._add("budget.income_general_budget", v)  # 收入450万元，均为财政拨款
        if hit.key == "budget.total_income":
            self._spent_after_income(found, sent, loc)
        if hit.key in _SHARE_PARTS:
            self._share(hit.key, v, found.end, sent, loc)

    def _unstated(self, lead: str) -> str:
        """``lead`` without the accounts' statements in it; itself when no label's words
        stand in it (most leads: the label's search is a few substring tests)."""
        return self._stated.sub("", lead) if self.labels.candidates(lead, 0, len(lead)) else lead

    def _spent_after_income(self, income: Hit, sent: Block, loc: Loc) -> None:
        """“收入1,234.50万元，支出1,200.00万元”: a bare 支出 right after the income's figure
        is the total expenditure of the same accounts."""
        m = _SPENT_AFTER.match(self.text, income.end, sent.end)
        found = quantity_at(self.text, m.end()) if m else None
        if found is not None and found.kind == "money":
            path = "budget.total_expenditure"
            self._add(path, self.g.quantity(found.q, found.offset, f"{loc} cue:支出"))

    def _under_income(self, hit: LabelHit, cue: str) -> bool:
        """A bare 财政拨款 (no 收入 in the label) is the income only when the text before it
        last spoke of income, not of expenditure (本年支出合计…，其中财政拨款…)."""
        if "收入" in cue or "预算" in cue:
            return True
        # Its sentence, or the lines before it (收入合计1000万元。\n其中：财政拨款905万元).
        before = self.text[max(0, hit.start - _INCOME_LOOKBACK) : hit.start]
        income = [m.end() for m in _words("income_word").finditer(before)]
        spent = [m.end() for m in _words("expenditure_word").finditer(before)]
        return bool(income) and (not spent or max(spent) < max(income))

    def _share(self, path: str, part: Value, pos: int, sent: Block, loc: Loc) -> None:
        """“人员经费650万元，占基本支出的81.25%”: the share, checked against its whole."""
        m = _SHARE_OF.match(self.text, pos, sent.end)
        if not m:
            return
        for whole in _SHARE_WHOLES:
            rx = re.compile(self.lex.field(whole).label_pattern())
            w = rx.match(self.text, m.end(), sent.end)
            if not w:
                continue
            pct = value_after(self.text, w.end(), min(sent.end, w.end() + 12))
            if pct is not None and pct.kind == "percent":
                value = self.g.quantity(pct.q, pct.offset, str(loc))
                self.out.shares.append(Share(path, whole, part, value))
            return

    def _breakdown(self, para: Block, loc: Loc) -> None:
        """基本支出 “具体情况…” enumerations: numbered heads and the items under them."""
        part = self.text[para.start : para.end]
        if "基本支出" in part and "具体情况" in part:
            start = para.start + part.index("具体情况")
            parent: str | None = None
            for item in inline_items(self.g, start, para.end, str(loc)):
                if item.numbered:
                    parent = str(item.name.value)
                    self.out.basic_breakdown.append(ExpenseItem(name=item.name, amount=item.value))
                elif parent is not None:
                    self.out.basic_breakdown.append(
                        ExpenseItem(name=item.name, amount=item.value, parent=parent)
                    )


# (field, the lexicon's words of its proxy label, the words whose absence admits it)
_PROXIES = (
    ("budget.personnel_expenditure", "personnel_proxy", "personnel_proxy_absent"),
    ("budget.public_expenditure", "public_proxy", "public_proxy_absent"),
)


def _proxies(text: str) -> tuple[str, ...]:
    """Labels that name a field only in a document without its own words: 工资福利支出 is
    the personnel figure where no 人员经费 and no 对个人和家庭的补助 is named, 商品和服务
    支出 the office figure where no 公用经费 and no 资本性支出 is (basis.py reads no label
    for them, so a difference they make is a warning, never an error). Their names in
    the lexicon's ``[words]``."""
    return tuple(proxy for _, proxy, absent in _PROXIES if not _words(absent).search(text))


@cache
def _words(name: str) -> re.Pattern[str]:
    """The lexicon's ``[words]`` list ``name`` as one pattern, compiled once."""
    return re.compile(lexicon().words_pattern(name))


@cache
def _part_groups() -> list[tuple[str, re.Pattern[str]]]:
    """(whole, the pattern of its parts' labels) for totals stated after their parts."""
    lex = lexicon()
    income = [e.label_pattern() for e in lex.fields("budget.income_")]
    spent = [lex.field(p).label_pattern() for p in _EXPENDITURE_PARTS]
    return [
        ("budget.basic_expenditure", re.compile(lex.words_pattern("basic_parts"))),
        ("budget.total_expenditure", re.compile("|".join(f"(?:{p})" for p in spent))),
        ("budget.total_income", re.compile("|".join(f"(?:{p})" for p in income))),
    ]


# Labels of a whole that another label may take as its stage (基本支出实际支出…) or a
# topic as its subject (在人员经费方面，全年支出…).
_GENERIC_TOTALS = ("budget.total_expenditure", "budget.total_income")
_STAGE_WORD = re.compile(r"实际|决算|累计|全年|本年")
# A total's label that names the stage first (实际支出, 决算支出, 执行数, 完成支出).
_STAGE_LED = re.compile(r"实际|决算|执行|完成")
# What may open a sentence before its subject's label: numbering, 其中, 全年 …
_SENTENCE_LEAD = re.compile(
    r"\s*(?:[(（]?[一二三四五六七八九十\d]{1,2}[)）、.．]\s*)?(?:其中\s*[:：]?)?\s*"
    r"(?:(?:20\d\d\s*年度?|本年度?|全年|年度)\s*[，,]?\s*)?(?:本单位|本部门|我单位)?\s*"
)
# A sentence opening with a subject and its budget figure: “人员经费全年预算660万元，”.
_BUDGET_OPENING = re.compile(
    _SENTENCE_LEAD.pattern + r"(?P<name>[\u4e00-\u9fff“”\"]{2,30}?)\s*[:：]?\s*(?:的)?"
    r"(?:年初|全年|调整后)?(?:批复)?预算(?:数|金额|安排)?\s*(?:为|是|:|：)?\s*\d[\d,.]*\s*(?:万元|元|亿元)"
    r"[^，,；;。]*[，,；;]"
)
# A bare 支出 and its figure right after the income's: “，支出1,200.00万元”.
_SPENT_AFTER = re.compile(r"\s*[，,、]\s*支出\s*(?:为|是|共计|合计|:|：)?\s*(?=\d)")
# A comparison's base right before the figure (较上年的…, 比2022年…) or around the label
# (与上年人员经费…相比): last year's figure, not this year's.
_COMPARED_BASE = re.compile(
    r"(?:比|较|与|同|相对)\s*(?:上年度?|上一年度?|去年|上年同期|20\d\d\s*年度?)(?:同期)?\s*(?:的)?"
    r"\s*(?:数|水平|金额)?\s*(?:为|是)?\s*$"
)
_COMPARED_LEAD = re.compile(
    r"(?:比|较|与|同|相对)\s*(?:上年度?|上一年度?|去年|上年同期|20\d\d\s*年度?)(?:同期)?\s*(?:的)?\s*$"
)
# A clause naming only the final stage, after a budget figure: “，决算650万元”.
_FINAL_CLAUSE = re.compile(
    r"\s*[，,；;]\s*(?:全年|本年度?)?\s*(?:决算|实际|执行)(?:数|支出|执行数?|完成|使用)?"
    r"\s*(?:数|金额)?\s*(?:为|是|达到|:|：)?\s*(?=\d)"
)
# A sentence opening with its topic: “在人员经费方面，”, “关于公用经费，”, “人员经费方面：”.
_TOPIC = re.compile(
    r"\s*(?:[(（]?[一二三四五六七八九十\d]{1,2}[)）、.]\s*)?(?:在|关于|对于|就)?\s*"
    r"(?P<name>[\u4e00-\u9fff]{2,10}?)\s*(?:方面|上|而言)?\s*[，,:：]"
)


# A line opening with the sum of the lines before it, and how many short lines (of how many
# characters at most) may be its parts.
_TOTAL_LINE = re.compile(r"\s*(?:[二两三四]项|以上|上述)?\s*(?:合计|共计|总计)")
_PART_LINES = 8
_LINE_CHARS = 60


_FIGURE_OR_BREAK = re.compile(r"[\d，,；;。]")
# The words before a colon (``_named_lead``).
_COLON = re.compile(r"[:：]")
_A_YEAR = re.compile(r"20\d\d\s*年度?")
_WORDS_BEFORE_FIGURE = re.compile(r"[\u4e00-\u9fff“”\"]*(?=\s*\d[\d,.]*\s*(?:万元|亿元|元)\s*$)")
_WORDS_AT_END = re.compile(r"[\u4e00-\u9fff“”\"]*$")
_THIS_YEAR_LEAD = re.compile(r"^(?:本年度?|全年|今年|年度)")
_SHARE_OF = re.compile(r"[，,]?\s*占")
# A bracketed or formula remark with no figure in it.
_REMARK = re.compile(r"[(（][^()（）\d]*[)）]|[=＝][^=＝\d。；;，,]{1,30}[=＝]")


_FULL_STOP = re.compile(r"[。！？!?]")


def _full_sentences(text: str, para: Block) -> list[Block]:
    """The paragraph cut after 。！？ only (a list of parts goes on over ；)."""
    out, start = [], para.start
    for m in _FULL_STOP.finditer(text, para.start, para.end):
        out.append(Block(start, m.end()))
        start = m.end()
    return [*out, Block(start, para.end)] if start < para.end else out


def _scale(hit: Hit) -> float:
    """万元 per unit of a money figure (元 figures sum with 万元 ones)."""
    return {"元": 1e-4, "亿元": 1e4}.get(hit.q.unit or "", 1.0)


def _clause_start(text: str, start: int, pos: int) -> int:
    """Where the clause holding ``pos`` starts (after the last ，；。 before it)."""
    for i in range(pos - 1, start - 1, -1):
        if text[i] in "，,；;。":
            return i + 1
    return start


def _previous_in(gap: str) -> bool:
    """Whether words between a label and its figure put the figure in another year (由上年
    的600万元…), a comparison (比上年) aside."""
    gap = words("year_comparison").sub("", gap)
    return bool(words("previous_year").search(gap))


def prose_figures(g: Grounder, locator_of) -> ProseOutput:  # noqa: ANN001
    """Every prose figure of the document. ``locator_of(offset)`` names the section."""
    out = _Scanner(g, locator_of).run()
    out.candidates += _cell_statements(g.doc, g.extractor)
    return out


# A table cell written as prose: a label's statement with its figure and its punctuation
# (“人员经费：660.00万元”, “总体评价 … 全年人员经费支出660万元，…”), not a bare figure, not a
# target (≤650万元).
_PROSE_CELL = re.compile(
    r"[\u4e00-\u9fff]{2}[^≤≥<>]{0,40}?[:：，,。；;为]?\s*\d[\d,.]*\s*(?:万元|元|亿元)"
)
_SENTENCE_MARK = re.compile(r"[:：，,。；;]")


def _cell_statements(doc: Document, extractor: str) -> list[Candidate]:
    """Money statements inside table cells written as prose (a form's 总体评价 cell, a
    label and its figure in one cell): the cell is read as a paragraph of its own, in the
    document's own text. A cell that states a target (≤, ≥) is no statement of a figure."""
    scanner = _Scanner(Grounder(doc, extractor), lambda _offset: "table:cell")
    for table in doc.tables:
        for cell in table.cells:
            text = doc.text[cell.span.start : cell.span.end]
            if _SENTENCE_MARK.search(text) and _PROSE_CELL.search(text):
                scanner._paragraph(Block(cell.span.start, cell.span.end), f"table:{table.index}")
    return [c for c in scanner.out.candidates if not c.value.comparator]
