"""Images in: reading sources (files, bytes, arrays, PDF pages), fitting them to an engine's
limits and mapping results back, and cropping quads out of the displayed image."""

from __future__ import annotations

from .crop import crop, crop_many
from .prepare import fit_pixels, fits, map_back, prepare
from .sources import IMAGE_SUFFIXES, MAX_PIXELS, ImageInfo, Source, SourceLike, open_source, orient, probe

__all__ = [
    "IMAGE_SUFFIXES", "MAX_PIXELS", "ImageInfo", "Source", "SourceLike", "crop", "crop_many", "fit_pixels", "fits",
    "map_back", "open_source", "orient", "prepare", "probe",
]  # fmt: skip
