"""What flows through a dataset build: labelled regions of a source image, and the crop
records written for them (one manifest line each)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs

from ..geometry import Quad


@attrs.frozen(slots=True)
class Region:
    """A word or line of a source image with its label, and who vouched for it: the engines
    that read it (with their confidences) or the truth file."""

    quad: Quad  # in the source image's displayed frame, from the text's own top-left
    label: str
    level: str  # "word" or "line"
    page: int = 0
    engines: tuple[str, ...] = ()  # empty: from ground truth
    confidences: tuple[float | None, ...] = ()  # one per engine

    @property
    def confidence(self) -> float | None:
        """The lowest confidence any engine gave it (``None`` when one gave none, or from truth)."""
        if not self.confidences or any(c is None for c in self.confidences):
            return None
        return min(c for c in self.confidences if c is not None)


@attrs.frozen(slots=True)
class CropRecord:
    """One written crop: a manifest line, and what the writers need to index it."""

    file: str  # the crop's path relative to the dataset folder
    source: str
    source_sha256: str
    page: int
    quad: Quad
    level: str
    label: str
    split: str
    engines: tuple[str, ...] = ()
    confidences: tuple[float | None, ...] = ()
    crop_sha256: str = ""
    index: int = 0  # 1-based place in its split, in writing order (DTRB's image-%09d)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "source": self.source, "source_sha256": self.source_sha256, "page": self.page,
            "quad": [[round(x, 2), round(y, 2)] for x, y in self.quad.points], "level": self.level, "label": self.label,
            "engines": dict(zip(self.engines, self.confidences)), "split": self.split, "crop_sha256": self.crop_sha256,
            "index": self.index,
        }  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CropRecord:
        engines = d.get("engines") or {}
        return cls(d["file"], d["source"], d["source_sha256"], int(d["page"]), Quad(d["quad"]), d["level"], d["label"], d["split"],
                   tuple(engines), tuple(engines.values()), d.get("crop_sha256", ""), int(d.get("index", 0)))  # fmt: skip


class Tally:
    """Why regions were dropped, and what was kept, for the summary: ``tally.drop("low-confidence")``."""

    def __init__(self) -> None:
        self.dropped: Counter[str] = Counter()
        self.kept: Counter[str] = Counter()  # by split
        self.notes: Counter[str] = Counter()  # kept, but changed: "vertical-rotated", "charset-replaced"

    def drop(self, reason: str, n: int = 1) -> None:
        self.dropped[reason] += n

    def to_dict(self) -> dict[str, Any]:
        return {"kept": sum(self.kept.values()), "by_split": dict(sorted(self.kept.items())),
                "dropped": dict(sorted(self.dropped.items())), "changed": dict(sorted(self.notes.items()))}  # fmt: skip
