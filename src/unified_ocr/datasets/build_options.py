"""How a dataset is cut and split: the options that are part of a dataset's identity."""

from __future__ import annotations

import hashlib
from typing import Any

import attrs

from ..errors import ConfigError
from . import crops
from .filters import Filters
from .splits import DEFAULT_SPLIT, parse_split


@attrs.frozen(slots=True)
class BuildOptions:
    """How crops are cut and split. Part of the dataset's identity: a folder keeps one setting."""

    level: str = "word"
    split: str = DEFAULT_SPLIT
    seed: int = 0
    padding: float = 0.0  # a share of the text height, on every side
    rectify: bool = True
    image_format: str = "png"
    quality: int = 95
    filters: Filters = Filters()

    def __attrs_post_init__(self) -> None:
        parse_split(self.split)
        if self.image_format not in crops.FORMATS:
            raise ConfigError(f"crops are png or jpg, not {self.image_format!r}")
        if not 1 <= self.quality <= 100:
            raise ConfigError(f"JPEG quality is 1-100, not {self.quality}")
        if not 0 <= self.padding <= 2:
            raise ConfigError(f"padding is a share of the text height, 0-2, not {self.padding}")

    def identity(self, fmt: str, labels: str) -> dict[str, Any]:
        filters = attrs.asdict(self.filters)
        filters["charset"] = None if self.filters.charset is None else hashlib.sha256("".join(sorted(self.filters.charset)).encode()).hexdigest()[:16]
        return {"format": fmt, "labels": labels, **{k: v for k, v in attrs.asdict(self).items() if k != "filters"}, "filters": filters}
