"""The ``tables`` metric: TEDS and TEDS-Struct (:mod:`.teds`) of each truth table against the
table read in its place.

A truth table is paired with the read table that overlaps it most (both placed, on the same
page, greedily by IoU); the tables left, where either has no place, pair in their order. A
truth table with no table read scores 0, as PubTabNet scores a missing prediction; a table
read where the truth has none is not scored (TEDS is a figure of the truth's tables).

Every figure is a function of per-image counts (:data:`COUNTS`: the truth tables, their TEDS
summed, their TEDS-Struct summed) added up over the images, so a resample of the images is
scored by adding its images' counts (:meth:`TablesMetric.figures_from`), no table scored again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from ..model import OcrResult, Table
from .metrics import Metric
from .normalize import Normalization
from .teds import teds

#: One image's counts: its truth tables, and their TEDS and TEDS-Struct summed.
COUNTS = ("tables", "teds_sum", "teds_struct_sum")


def figures(sums: Mapping[str, float]) -> dict[str, float | None]:
    """TEDS and TEDS-Struct, the means over every truth table, from :data:`COUNTS` summed over
    some images (``None`` when they hold no table)."""
    tables = sums.get("tables", 0)
    if not tables:
        return {"teds": None, "teds_struct": None}
    return {"teds": sums["teds_sum"] / tables, "teds_struct": sums["teds_struct_sum"] / tables}


def summarize(counts: Iterable[Mapping[str, float]]) -> dict[str, Any] | None:
    """``{tables, teds, teds_struct}`` of the images whose :data:`COUNTS` are given; ``None``
    when they hold no table."""
    counts = list(counts)
    sums = {name: sum(c[name] for c in counts) for name in COUNTS}
    return {"tables": int(sums["tables"]), **figures(sums)} if sums["tables"] else None


def _tables(result: OcrResult | None) -> list[tuple[int, Table]]:
    """Every table of a result with its page's index, in page order."""
    return [] if result is None else [(page.index, table) for page in result.pages for table in page.tables]


def pair_tables(truth: list[tuple[int, Table]], read: list[tuple[int, Table]]) -> list[Table | None]:
    """For each truth table, the read table that is the same table (``None``: none was read)."""
    paired: list[Table | None] = [None] * len(truth)
    free = set(range(len(read)))
    overlaps = sorted(((t.quad.iou(r.quad), i, j) for i, (page, t) in enumerate(truth) for j, (on, r) in enumerate(read)
                       if page == on and t.quad is not None and r.quad is not None), key=lambda x: (-x[0], x[1], x[2]))  # fmt: skip
    for iou, i, j in overlaps:
        if iou > 0 and paired[i] is None and j in free:
            paired[i] = read[j][1]
            free.discard(j)
    for i, (_, table) in enumerate(truth):  # the rest in order, where either has no place (two placed that do not meet differ)
        left = next((j for j in sorted(free) if paired[i] is None and (table.quad is None or read[j][1].quad is None)), None)
        if left is not None:
            paired[i] = read[left][1]
            free.discard(left)
    return paired


class TablesMetric(Metric):
    """TEDS and TEDS-Struct of the truth's tables, on the images whose truth has tables."""

    name = "tables"
    description = "TEDS and TEDS-Struct (PubTabNet's tree edit distance similarity) of the truth's tables"
    columns: ClassVar[tuple[str, ...]] = ("tables_teds", "tables_teds_struct")
    shown: ClassVar[tuple[tuple[str, str, bool], ...]] = (("TEDS", "teds", False), ("TEDS-S", "teds_struct", False))

    counts: ClassVar[tuple[str, ...]] = COUNTS

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        #: each scored image's :data:`COUNTS`, in the order updated (what :func:`summarize` takes)
        self.images: list[dict[str, float]] = []
        self.last: dict[str, float] | None = None

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        self.last = None
        truths = _tables(truth)
        if not truths:
            return {}
        norm = self.normalization.apply
        paired = pair_tables(truths, _tables(result))
        scores = [(teds(t, r, text=norm), teds(t, r, structure_only=True)) for (_, t), r in zip(truths, paired)]
        self.last = {"tables": len(scores), "teds_sum": sum(s for s, _ in scores), "teds_struct_sum": sum(s for _, s in scores)}
        self.images.append(self.last)
        return {f"tables_{name}": value for name, value in figures(self.last).items()}

    def summary(self) -> dict[str, Any] | None:
        return summarize(self.images)

    def image_counts(self) -> Mapping[str, float] | None:
        return self.last

    @classmethod
    def figures_from(cls, sums: Mapping[str, float]) -> dict[str, float | None]:
        return figures(sums)
