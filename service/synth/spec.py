"""The typed spec of a report to render: a title and an ordered list of blocks.

Owns the block types (heading, paragraph, table, page break) and the table grid layout
(where each cell stands once row and column spans are applied). Knows nothing of output
formats; the renderers in ``service.synth`` read these types and nothing else.

A table is given as HTML does it: each row lists its cells left to right, skipping the
positions that a merged cell from a row above still covers. Its ``style`` says how it is
printed: ``ruled`` (a grid of rules), ``borderless`` (no rules, columns aligned by
position), ``spaced`` (no rules; a text export pads the cells with spaces) or
``flattened`` (no rules; a text export glues the cells with no separator at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Heading(BaseModel):
    """A numbered section heading (一、 / （一） / 1. / （1）) at ``level`` 1–4."""

    kind: Literal["heading"] = "heading"
    level: int = Field(1, ge=1, le=4)
    text: str


class Paragraph(BaseModel):
    """Running text. Chinese body text is indented by two characters on its first line."""

    kind: Literal["paragraph"] = "paragraph"
    text: str
    align: Literal["left", "center", "right"] = "left"
    indent: bool = True
    bold: bool = False


class SpecCell(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str = ""
    row_span: int = Field(1, ge=1)
    col_span: int = Field(1, ge=1)


@dataclass(frozen=True)
class PlacedCell:
    """A cell at its grid position (top-left of its merged area)."""

    row: int
    col: int
    row_span: int
    col_span: int
    text: str


TableStyle = Literal["ruled", "borderless", "spaced", "flattened"]


class TableBlock(BaseModel):
    """A table. ``header_rows`` rows are repeated on each page it continues on when
    ``repeat_header`` is set; ``col_widths`` are relative width hints; ``style`` how it is
    printed (see the module docstring)."""

    kind: Literal["table"] = "table"
    style: TableStyle = "ruled"
    rows: list[list[SpecCell]]
    header_rows: int = Field(0, ge=0)
    col_widths: list[float] | None = None
    repeat_header: bool = True
    font_size: float | None = Field(None, gt=0, description="Points; default: the style's.")

    @field_validator("rows", mode="before")
    @classmethod
    def _cells_from_strings(cls, rows: Any) -> Any:
        """Allow plain strings for ordinary cells: ``[["a", "b"], ...]``."""
        if not isinstance(rows, list):
            return rows
        return [
            [SpecCell(text=c) if isinstance(c, str) else c for c in row]
            if isinstance(row, list)
            else row
            for row in rows
        ]

    @model_validator(mode="after")
    def _consistent(self) -> TableBlock:
        if not self.rows:
            raise ValueError("a table needs at least one row")
        self.layout()  # raises ValueError on a grid that does not close
        if self.header_rows > len(self.rows):
            raise ValueError("header_rows exceeds the number of rows")
        if self.col_widths is not None and len(self.col_widths) != self.n_cols:
            raise ValueError(f"{len(self.col_widths)} column widths for {self.n_cols} columns")
        return self

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        # nothing covers the first row from above, so its spans give the width
        return sum(c.col_span for c in self.rows[0])

    def layout(self) -> list[PlacedCell]:
        """Every cell at its (row, col); checks that each row fills the table width."""
        width = self.n_cols
        covered: set[tuple[int, int]] = set()
        placed: list[PlacedCell] = []
        for r, row in enumerate(self.rows):
            col = 0
            for cell in row:
                while (r, col) in covered:
                    col += 1
                if r + cell.row_span > len(self.rows):
                    raise ValueError(f"cell at row {r} spans past the last row")
                for dr in range(cell.row_span):
                    for dc in range(cell.col_span):
                        if (r + dr, col + dc) in covered:
                            raise ValueError(f"cells overlap at row {r + dr}, col {col + dc}")
                        covered.add((r + dr, col + dc))
                placed.append(PlacedCell(r, col, cell.row_span, cell.col_span, cell.text))
                col += cell.col_span
            while (r, col) in covered:
                col += 1
            if col != width:
                raise ValueError(f"row {r} is {col} columns wide, the table {width}")
        return placed

    def grid(self, fill_merged: bool = False) -> list[list[str]]:
        """Rows of texts; positions covered by a merge are '' unless ``fill_merged``."""
        out = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for cell in self.layout():
            for r in range(cell.row, cell.row + cell.row_span):
                for c in range(cell.col, cell.col + cell.col_span):
                    if (r, c) == (cell.row, cell.col) or fill_merged:
                        out[r][c] = cell.text
        return out

    @classmethod
    def from_grid(cls, grid: list[list[str]], header_rows: int = 0, **kwargs: Any) -> TableBlock:
        """A plain grid without merges; short rows are padded to the widest row."""
        width = max((len(r) for r in grid), default=0) or 1
        rows = [[*r, *([""] * (width - len(r)))] for r in grid] or [[""]]
        return cls(rows=rows, header_rows=header_rows, **kwargs)


class PageBreak(BaseModel):
    kind: Literal["page_break"] = "page_break"


Block = Annotated[Heading | Paragraph | TableBlock | PageBreak, Field(discriminator="kind")]


class ReportSpec(BaseModel):
    """A whole report: printed as a centred title (a newline in it starts a second title
    line), then the blocks in order. ``header`` is a running header printed at the top of
    every page (the first line of a text export)."""

    title: str
    header: str | None = None
    blocks: list[Block] = Field(default_factory=list)

    def paragraphs(self) -> list[str]:
        """Texts of headings and paragraphs, in order (what a text layer must contain)."""
        return [b.text for b in self.blocks if isinstance(b, Heading | Paragraph)]

    def tables(self) -> list[TableBlock]:
        return [b for b in self.blocks if isinstance(b, TableBlock)]
