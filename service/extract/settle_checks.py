"""How many arithmetic findings a choice of disagreeing statements leaves, without re-running
every check for every choice.

Owns only counting for ``rules.settle_conflicts``: the figure it minimises is exactly
``len(run_checks(export, shares))``, but most of that count cannot change while only the
disputed scalar paths (``budget.*``, ``three_public.*``, ``report.total_score``) change:
the 基础数据表 rows, the indicator weights, the breakdown's own sums. Those are counted
once; every check group that reads a disputed path is re-run only for a choice of options
of the disputed paths it reads that it has not counted yet, and remembered by it: trying
one path's options at a time leaves the other groups' counts as they were (a long report,
with dozens of disputed paths, re-ran the budget and 三公 groups for every option of every
path), and the groups whose cost grows with the document (projects, breakdown, indicators,
shares) read only a few paths, so settling stays linear in the document.

Which group reads which path is declared here (``_READS``) beside the group functions of
``checks.py`` it names; a group that is not named is counted as constant. The test
``tests/extract/test_settle_checks.py`` compares the count with ``run_checks`` for every
combination on reports with planted disagreements. Must not import the store or the web.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from service.extract import checks
from service.extract.checks import ShareStatement
from service.records import Finding, ReportExport

Group = Callable[[ReportExport], list[Finding | None]]

# Check groups whose findings can change with a disputed path, and the disputed paths they
# read: a prefix = every disputed path under it (groups of a fixed size that read one part
# of the export: the budget, the 三公 table), else exactly these paths (groups whose cost
# grows with the document). Each group's count is remembered per choice of these paths'
# options.
_READS: dict[str, str | tuple[str, ...]] = {
    "_budget_checks": "budget.",
    "_three_public_checks": "three_public.",
    "_project_checks": ("budget.project_expenditure",),
    "_breakdown_checks": ("budget.basic_expenditure",),
    "_indicator_checks": ("report.total_score", "budget.execution_score"),
}


def _count(found: list[Finding | None]) -> int:
    return sum(f is not None for f in found)


class FindingCounter:
    """``count(choice)`` == ``len(run_checks(export, shares))`` once ``choice``'s values are
    written into ``export``; ``choice`` maps each disputed path to the index of its option."""

    def __init__(
        self, export: ReportExport, shares: Sequence[ShareStatement], paths: Sequence[str]
    ) -> None:
        self.export = export
        disputed = set(paths)
        # (group, the disputed paths it reads, remembered counts by their option indices)
        self.costly: list[tuple[Group, tuple[str, ...], dict[tuple[int, ...], int]]] = []
        for name, reads in _READS.items():
            group: Group = getattr(checks, name)
            if isinstance(reads, str):
                mine = tuple(p for p in paths if p.startswith(reads))
            else:
                mine = tuple(p for p in reads if p in disputed)
            if mine:  # a group reading no disputed path counts the same whatever the choice
                self.costly.append((group, mine, {}))
        # shares whose whole (budget.<field>) is disputed, one group per whole
        by_whole: dict[str, list[ShareStatement]] = {}
        for s in shares:
            if s.whole_path in disputed:
                by_whole.setdefault(s.whole_path, []).append(s)
        for whole, group_shares in by_whole.items():
            self.costly.append((_share_group(group_shares), (whole,), {}))
        # everything else, counted once (``run_checks`` is the groups' findings one after
        # another, and a share's check reads its own share only)
        costly = {group for group, _, _ in self.costly}
        self.constant = sum(_count(g(export)) for g in checks.check_groups() if g not in costly)
        steady = [s for s in shares if s.whole_path not in by_whole]
        self.constant += _count(checks._share_checks(export, steady))

    def _variable(self, choice: dict[str, int]) -> int:
        total = 0
        for group, reads, memo in self.costly:
            key = tuple(choice[p] for p in reads)
            if key not in memo:
                memo[key] = _count(group(self.export))
            total += memo[key]
        return total

    def count(self, choice: dict[str, int]) -> int:
        return self.constant + self._variable(choice)


def _share_group(shares: list[ShareStatement]) -> Group:
    def group(e: ReportExport) -> list[Any]:
        return checks._share_checks(e, shares)

    return group


def available() -> bool:
    """Whether ``checks.py`` still has the groups named here (else: count by run_checks)."""
    return all(hasattr(checks, name) for name in (*_READS, "_share_checks", "check_groups"))
