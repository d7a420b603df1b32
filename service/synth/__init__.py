"""Test documents made by code: reports rendered to every input format, with known truth.

Owns the report spec (``spec``), the renderers (``pdf``, ``scan``, ``docx``, ``render`` for
plain text and the format list), the seed reports as specs (``seeds``) and seeded synthetic
reports with their truth in the export format (``reports``, ``templates``). Used by tests,
the benchmark and the evaluation set; never by the service's request path. Reads the
seed folder, never writes to it.
"""

from service.synth.figures import Knobs
from service.synth.render import Format, RenderOptions, file_names, render
from service.synth.reports import TEMPLATES, SyntheticReport, make_report, suite
from service.synth.seeds import find_seeds_dir, seed_spec, seed_specs
from service.synth.spec import Heading, PageBreak, Paragraph, ReportSpec, SpecCell, TableBlock

__all__ = [
    "TEMPLATES",
    "Format",
    "Heading",
    "Knobs",
    "PageBreak",
    "Paragraph",
    "RenderOptions",
    "ReportSpec",
    "SpecCell",
    "SyntheticReport",
    "TableBlock",
    "file_names",
    "find_seeds_dir",
    "make_report",
    "render",
    "seed_spec",
    "seed_specs",
    "suite",
]
