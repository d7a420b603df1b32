"""The evaluation set: its manifest, its documents in every format, and their labels.

Owns: reading and checking ``eval/set/manifest.json``, turning each (document, format) into
file bytes (the seed texts as they are; every other rendering made by ``service.synth`` into
a cache folder, keyed by what it was made from), and loading each document's label.
Must not touch: extraction or scoring; nothing large is ever written into the repository.

A document is either a **seed** (a real report: a text file in ``eval/set/seeds/`` and a
hand label in ``eval/labels/``) or **synthetic** (a generator template, seed and knobs; its
label is the generator's truth, regenerated at eval time — see docs/eval.md for why).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from service.errors import InputError

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SET = REPO / "eval" / "set" / "manifest.json"
FORMATS = ("txt", "pdf", "scan", "docx", "png", "html", "xlsx", "xls", "ofd", "doc", "bundle")
SUFFIX = {
    "txt": ".txt",
    "pdf": ".pdf",
    "scan": ".scan.pdf",
    "docx": ".docx",
    "png": ".png",
    "html": ".html",
    "xlsx": ".xlsx",
    "xls": ".xls",
    "ofd": ".ofd",
    "doc": ".doc",
    "bundle": ".bundle.zip",
}
# The format each newer format is compared with (the same report, read another way).
TWIN = {
    "html": "docx",
    "xlsx": "docx",
    "xls": "docx",
    "doc": "docx",
    "bundle": "docx",
    "ofd": "pdf",
    "scan": "pdf",
}
FormatName = Literal[
    "txt", "pdf", "scan", "docx", "png", "html", "xlsx", "xls", "ofd", "doc", "bundle"
]


class EvalSetError(InputError):
    code = "eval_set_invalid"
    message_zh = "评测集清单无效。"
    message_en = "The evaluation set is invalid."


class SeedSource(BaseModel):
    kind: Literal["seed"] = "seed"
    path: str = Field(description="The seed text, relative to the manifest's folder.")
    sha256: str = Field(description="Of the text file: a changed seed invalidates its label.")


class FileSource(BaseModel):
    """An original file as uploaded (a reviewer-approved document), read in its own format."""

    kind: Literal["file"] = "file"
    path: str = Field(description="The file, relative to the manifest's folder.")
    sha256: str


class SynthSource(BaseModel):
    kind: Literal["synth"] = "synth"
    template: str = Field(description="Generator template (hunan, sichuan, prose_only…).")
    seed: int = Field(description="Generator seed: the same seed gives the same report.")
    knobs: dict[str, Any] | None = Field(
        None,
        description="Hard-case switches (service.synth.figures.Knobs); none: drawn from the seed.",
    )


class VariedSource(BaseModel):
    """A report from the generator of varied layouts (``service.synth.variety``): families
    of variation (other provinces and kinds of unit, borderless or flattened tables, inline
    lists…) drawn from the seed, in a fixed split. ``heldout`` documents are the figure that
    counts and must never be tuned to (docs/eval.md)."""

    kind: Literal["varied"] = "varied"
    seed: int = Field(ge=0, description="Generator seed: the same seed gives the same report.")
    split: Literal["tuning", "heldout"] = Field(
        description="The generator's split: the families a reader may be tuned on, or not."
    )


class Entry(BaseModel):
    """One document of the set, in one or more formats."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    source: SeedSource | FileSource | SynthSource | VariedSource = Field(discriminator="kind")
    label: str | None = Field(
        None, description="Label file relative to the manifest's folder; none for synthetic."
    )
    formats: list[FormatName] = Field(min_length=1)
    tests: list[str] = Field(min_length=1, description="What this document exercises.")
    unscored: list[str] = Field(
        default_factory=list,
        description="Label paths left unscored for this document (e.g. a table its truth does "
        "not describe): they are removed from the label, so neither side is counted.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Entry:
        if self.source.kind in ("seed", "file") and not self.label:
            raise ValueError(f"{self.id}: a {self.source.kind} document needs a label file")
        if self.source.kind == "varied" and self.label:
            raise ValueError(f"{self.id}: a varied document's label is its generator's truth")
        if self.source.kind == "file" and len(self.formats) != 1:
            raise ValueError(f"{self.id}: an original file is read in its own format only")
        return self

    @property
    def split(self) -> str:
        """``heldout`` (varied documents kept from tuning: the figure that counts),
        ``tuning`` (the templates the readers were built from, and the tuning variants) or
        ``seeds`` (real reports: the seeds and reviewer-approved files)."""
        source = self.source
        if isinstance(source, VariedSource):
            return source.split
        return "tuning" if isinstance(source, SynthSource) else "seeds"


class Manifest(BaseModel):
    name: str
    version: int
    description: str = ""
    documents: list[Entry]

    @model_validator(mode="after")
    def _unique_ids(self) -> Manifest:
        ids = [d.id for d in self.documents]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate document ids: {', '.join(dupes)}")
        return self


@dataclass
class Item:
    """One document in one format: what the run ingests, extracts and scores."""

    entry: Entry
    format: str
    set_dir: Path

    @property
    def key(self) -> str:
        return f"{self.entry.id}.{self.format}"

    @property
    def filename(self) -> str:
        """The name the file is read under. A varied document's id names its split, and the
        name reaches the Document (and an LLM's prompt): it is read as a plain ``report``."""
        if isinstance(self.entry.source, VariedSource):
            return "report" + SUFFIX[self.format]
        return self.entry.id + SUFFIX[self.format]


def load_manifest(path: Path | str = DEFAULT_SET) -> tuple[Manifest, Path]:
    """The manifest at ``path`` (a file, or a folder holding manifest.json) and its folder."""
    path = Path(path)
    if path.is_dir():
        path = path / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalSetError(f"no manifest at {path}") from None
    except json.JSONDecodeError as exc:
        raise EvalSetError(f"{path}: not JSON ({exc})") from None
    try:
        return Manifest.model_validate(data), path.parent
    except ValidationError as exc:
        raise EvalSetError(
            f"{path}: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}"
        ) from None


def items(
    manifest: Manifest,
    set_dir: Path,
    formats: list[str] | None = None,
    only: list[str] | None = None,
) -> Iterator[Item]:
    """Every (document, format) of the set, optionally filtered by format and by id prefix."""
    for entry in manifest.documents:
        if only and not any(entry.id.startswith(prefix) for prefix in only):
            continue
        for fmt in entry.formats:
            if formats is None or fmt in formats:
                yield Item(entry, fmt, set_dir)


def set_fingerprint(manifest: Manifest) -> str:
    """A short hash of what the set is: runs are comparable when this matches. With varied
    documents it includes the generator's ``VARIETY_VERSION``: a new family of variation
    changes which report a seed gives, so the same manifest is then another set."""
    data = manifest.model_dump(mode="json")
    if any(isinstance(d.source, VariedSource) for d in manifest.documents):
        from service.synth.variety import VARIETY_VERSION

        data["variety_version"] = VARIETY_VERSION
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def code_hash(*packages: str) -> str:
    """Hash of the Python sources under ``service/<package>``: a cache key part that changes
    whenever the code that made a cached file changes."""
    h = hashlib.sha256()
    for package in packages:
        root = REPO / "service" / package
        for file in sorted(root.rglob("*.py")):
            h.update(file.relative_to(REPO).as_posix().encode())
            h.update(file.read_bytes())
    return h.hexdigest()[:16]


# --- making the files -----------------------------------------------------------------------


class Materializer:
    """Turns items into file bytes, caching renderings under ``cache_dir``."""

    def __init__(self, cache_dir: Path | None, use_cache: bool = True) -> None:
        self.cache_dir = cache_dir
        self.use_cache = use_cache and cache_dir is not None
        self._synth_code = code_hash("synth")
        self._specs: dict[str, Any] = {}

    def _cached(self, name: str, make: Callable[[], bytes]) -> bytes:
        if not self.use_cache or self.cache_dir is None:
            return make()
        path = self.cache_dir / name
        if path.is_file():
            return path.read_bytes()
        data = make()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        return data

    def seed_path(self, item: Item) -> Path:
        """The seed text or original file, checked against the manifest's hash."""
        source = item.entry.source
        assert isinstance(source, SeedSource | FileSource)
        path = item.set_dir / source.path
        if not path.is_file():
            raise EvalSetError(f"{item.entry.id}: seed text {path} not found")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != source.sha256:
            raise EvalSetError(
                f"{item.entry.id}: {path.name} changed (sha256 {digest[:12]}, manifest "
                f"{source.sha256[:12]}): its label no longer applies"
            )
        return path

    def spec(self, item: Item) -> Any:
        """The ``service.synth`` ReportSpec of a document (made once per run)."""
        if item.entry.id not in self._specs:
            source = item.entry.source
            if isinstance(source, SeedSource):
                from service.synth.seeds import seed_spec

                self._specs[item.entry.id] = seed_spec(self.seed_path(item))
            else:
                assert isinstance(source, SynthSource | VariedSource), "files are not re-rendered"
                self._specs[item.entry.id] = synth_report(source).spec
        return self._specs[item.entry.id]

    def families(self, item: Item) -> list[str]:
        """The families of variation a document belongs to, for the per-family figures: a
        generated document's are recorded by its generator (template and hard-case knobs for
        the templates, and ``generator.templates``/``generator.varied`` for all of them); a
        real report is a family of its own."""
        source = item.entry.source
        if isinstance(source, SynthSource | VariedSource):
            return list(synth_report(source).families)
        return [f"real.{item.entry.id}"]

    def held_out_families(self, item: Item) -> list[str]:
        """Those of ``families`` that are held-out variants (a held-out document also uses
        tuning variants, so that it reads like a report)."""
        source = item.entry.source
        return list(synth_report(source).held_out) if isinstance(source, VariedSource) else []

    def file_bytes(self, item: Item) -> bytes:
        source = item.entry.source
        if isinstance(source, FileSource) or (
            isinstance(source, SeedSource) and item.format == "txt"
        ):
            return self.seed_path(item).read_bytes()  # the real file, not a re-rendering
        spec = self.spec(item)
        render_seed = source.seed if isinstance(source, SynthSource | VariedSource) else 0
        key = hashlib.sha256(
            f"{spec.model_dump_json()}|{item.format}|{render_seed}|{self._synth_code}".encode()
        ).hexdigest()[:16]

        def make() -> bytes:
            if item.format == "ofd":  # the PDF twin's pages, copied out: reuse its rendering
                from service.synth.ofd import pdf_to_ofd

                pdf = self.file_bytes(Item(item.entry, "pdf", item.set_dir))
                return pdf_to_ofd(pdf, title=spec.title.replace("\n", ""))
            from service.synth.render import render

            files = render(spec, item.format, seed=render_seed)
            if len(files) != 1:
                raise EvalSetError(
                    f"{item.key}: the {item.format} rendering has {len(files)} files; "
                    "page images are only in the set for one-page documents"
                )
            return files[0]

        return self._cached(f"files/{item.entry.id}-{key}{SUFFIX[item.format]}", make)

    def label(self, item: Item) -> dict[str, Any]:
        """The label in the export format: a hand label file, or the generator's truth,
        without the paths the entry leaves unscored."""
        label = self._label(item)
        for path in item.entry.unscored:
            *parents, leaf = path.split(".")
            node: Any = label
            for key in parents:
                node = node.get(key) if isinstance(node, dict) else None
            if isinstance(node, dict):
                node.pop(leaf, None)
        return label

    def _label(self, item: Item) -> dict[str, Any]:
        if item.entry.label:
            path = item.set_dir / item.entry.label
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise EvalSetError(f"{item.entry.id}: label {path} not found") from None
            except json.JSONDecodeError as exc:
                raise EvalSetError(f"{item.entry.id}: label {path} is not JSON ({exc})") from None
        source = item.entry.source
        assert isinstance(source, SynthSource | VariedSource)
        return copy.deepcopy(synth_report(source).truth)


# --- the generator --------------------------------------------------------------------------


@dataclass
class SynthReport:
    spec: Any  # service.synth.spec.ReportSpec
    truth: dict[str, Any]  # the export format, without sources
    families: tuple[str, ...] = ()
    held_out: tuple[str, ...] = ()  # the families that are held-out variants


_SYNTH_CACHE: dict[str, SynthReport] = {}


def synth_report(source: SynthSource | VariedSource) -> SynthReport:
    """The generator's report and truth for ``source`` (deterministic; memoised per run)."""
    key = source.model_dump_json()
    if key not in _SYNTH_CACHE:
        if isinstance(source, VariedSource):
            _SYNTH_CACHE[key] = _generate_varied(source)
        else:
            _SYNTH_CACHE[key] = _generate(source)
    return _SYNTH_CACHE[key]


def _generate(source: SynthSource) -> SynthReport:
    from service.synth.figures import Knobs
    from service.synth.reports import make_report

    knobs = Knobs(**source.knobs) if source.knobs is not None else None
    try:
        report = make_report(source.seed, source.template, knobs)
    except ValueError as exc:  # an unknown template or knob
        raise EvalSetError(f"synthetic {source.template} #{source.seed}: {exc}") from None
    truth = report.truth.model_dump(mode="json")
    knob_families = [f"knob.{tag.split('=')[0]}" for tag in report.knobs.tags()]
    families = ("generator.templates", f"template.{source.template}", *knob_families)
    return SynthReport(spec=report.spec, truth=truth, families=families)


# the manifest's split → the generator's name for it
GENERATOR_SPLIT = {"tuning": "tuning", "heldout": "held_out"}


def _generate_varied(source: VariedSource) -> SynthReport:
    """A varied report: its families are the variant ids it uses (``layout.memo``,
    ``money_format.yuan``…), the held-out ones marked by the generator's own split rule."""
    from service.synth.variety import make_varied, split_of

    split = GENERATOR_SPLIT[source.split]
    try:
        report = make_varied(source.seed, split)
    except ValueError as exc:
        raise EvalSetError(f"varied #{source.seed} ({source.split}): {exc}") from None
    if report.variety is None or report.variety.split != split:
        raise EvalSetError(f"varied #{source.seed}: not generated as a {split} document")
    variants = tuple(report.variety.variants)
    return SynthReport(
        spec=report.spec,
        truth=report.truth.model_dump(mode="json"),
        # generator.varied: the tuning split's varied documents beside the held-out ones,
        # the same generator on both sides of the split (the templates are not)
        families=("generator.varied", *variants),
        held_out=tuple(v for v in variants if split_of(v) == "held_out"),
    )
