"""One source's samples made ready to write (not to be confused with :func:`unified_ocr.imaging.prepare`,
which fits an image to an engine): labels filtered, crops cut and encoded, or the
whole page encoded. A pure function of the source and the options, so that it can run on
a worker (a process pool, a Dask cluster) while one builder writes; nothing here touches
the dataset folder."""

from __future__ import annotations

import hashlib
from collections import Counter

import attrs

from ..imaging.documents import no_pixels
from ..imaging.sources import open_source
from . import crops
from .build_options import BuildOptions
from .quads import bad_quads
from .records import Region
from .splits import parse_split, split_of


@attrs.frozen(slots=True)
class Cut:
    """An encoded crop of a region, with its final label and a digest of both (to write it once)."""

    region: Region
    label: str
    data: bytes
    digest: str


@attrs.frozen(slots=True)
class WholePage:
    """A whole encoded page and its regions (``###`` where the label is not trusted)."""

    page: int
    data: bytes
    width: int
    height: int
    labelled: tuple[tuple[Region, str], ...]


@attrs.frozen(slots=True)
class SourceSamples:
    """What one source gives: crops or pages, and what was dropped or changed, by reason."""

    path: str
    sha256: str
    split: str
    cuts: tuple[Cut, ...] = ()
    pages: tuple[WholePage, ...] = ()
    dropped: dict[str, int] = attrs.field(factory=dict)
    notes: dict[str, int] = attrs.field(factory=dict)


def _label(region: Region, options: BuildOptions, breaks: str, dropped: Counter[str], notes: Counter[str]) -> str | None:
    label, reason, replaced = options.filters.label(region)
    if label is not None and any(c in label for c in breaks):
        label, reason = None, "label-breaks-format"  # a tab in a tab-separated file: dropped, never a broken line
    if reason is not None:
        dropped[reason] += 1
    elif replaced:
        notes["charset-replaced"] += 1
    return label


def samples_of(regions: tuple[Region, ...], path: str, options: BuildOptions, kind: str, breaks: str = "",
            dropped_before: dict[str, int] | None = None) -> SourceSamples:  # fmt: skip
    """The samples of the image at ``path`` for a format of ``kind`` (``rec``: crops; ``det``: pages)."""
    dropped: Counter[str] = Counter(dropped_before or {})
    notes: Counter[str] = Counter()
    src = open_source(path)
    if src.document:  # sent to engines as it is: no pixels to cut samples from
        raise no_pixels(path, src.document, "crops or pages for a dataset")
    sha = src.sha256()
    split = split_of(sha, options.seed, parse_split(options.split))
    cuts: list[Cut] = []
    pages: list[WholePage] = []
    for page in range(src.pages):
        mine = [r for r in regions if r.page == page]
        if not mine:
            continue
        pixels = src.decode(page)
        bad = bad_quads([r.quad for r in mine], pixels.shape[1], pixels.shape[0])
        if any(bad):  # not a place on this page: no sample of any kind, whatever its label
            dropped["bad-quad"] += sum(bad)
            mine = [r for r, b in zip(mine, bad) if not b]
            if not mine:
                continue
        if kind == "det":
            labelled = tuple((r, _label(r, options, breaks, dropped, notes) or "###") for r in mine)
            data = crops.encode(pixels, options.image_format, options.quality)
            pages.append(WholePage(page, data, pixels.shape[1], pixels.shape[0], labelled))
            continue
        kept = [(r, label) for r in mine if (label := _label(r, options, breaks, dropped, notes)) is not None]
        for (region, label), crop in zip(kept, crops.cut(pixels, [r.quad for r, _ in kept], padding=options.padding, rectify=options.rectify)):
            if crop is None:
                dropped["bad-quad"] += 1
                continue
            if crops.is_vertical(crop, label):
                if options.filters.vertical == "drop":
                    dropped["vertical"] += 1
                    continue
                if options.filters.vertical == "rotate":
                    crop = crops.turn_upright(crop)
                notes["vertical-rotated" if options.filters.vertical == "rotate" else "vertical-kept"] += 1
            if reason := options.filters.size(min(crop.shape[:2]) / (1 + 2 * options.padding)):
                dropped[reason] += 1
                continue
            data = crops.encode(crop, options.image_format, options.quality)
            cuts.append(Cut(region, label, data, hashlib.sha256(data + b"\0" + label.encode("utf-8")).hexdigest()))
    return SourceSamples(path, sha, split, tuple(cuts), tuple(pages), dict(dropped), dict(notes))
