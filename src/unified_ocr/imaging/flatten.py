"""Flatten a photographed page: find it, undo the perspective, straighten its rows, even its light.

An imaging step for engines that read phone photos poorly as they come (an engine asks for
it with ``Limits(flatten_photos=True)``; :func:`unified_ocr.imaging.prepare.prepare` runs it).
A page photographed on a table is a slanted quadrilateral among things that are not text,
its rows run at whatever angle the phone was held, and its light falls off from one side.
Line finders expect none of this. So, in order:

1. **The page** (:func:`.pagefind.find_page`): the bright, convex region that stands out
   from its surround, as a quadrilateral, or none (then the whole image is the page).
2. **Perspective**: that quadrilateral becomes a rectangle of the page's own proportions.
3. **Rotation at any angle**: the direction of the text rows, mod 180 degrees, from the ink's
   projection profile (:func:`text_angle`); the page is turned so that the rows lie
   horizontal. Rows running nearer down the page than across are first turned the nearest
   quarter exactly (whole pixels moved, :mod:`.turns`), and the image so turned is flattened
   from the start: a page photographed a quarter turn round comes out exactly as it does
   upright, not resampled by another warp. Text upside down is left to the engine's
   orientation step.
4. **Light**: the paper's brightness is estimated as a large-kernel morphological close
   of a reduced copy (text is thin and dark, so closing it leaves the paper), and each channel
   is divided by it, so the paper is white and the ink keeps its grey levels. Chosen by
   measurement against adaptive thresholding, which binarises: on generated Korean photos
   Tesseract read the divided page better (CER 0.087 and 0.071 against 0.103 and 0.109 on
   two sets of ten, turned up to 30 and 6 degrees: ``benchmarks/flatten_photos.py --light``;
   thresholding breaks the thin strokes of small Hangul, and JPEG noise turns into specks).

Every step that finds nothing to do does nothing, so a scan (a straight page filling the
frame, evenly lit) comes back as the same array with the identity transform. All of it is
one projective warp of the full image, found on a reduced copy, so the transform back is
exact: :attr:`Flattened.transform` maps the flattened frame onto the image given.
"""

from __future__ import annotations

import math

import attrs
import cv2
import numpy as np

from ..geometry import Transform
from .pagefind import find_page, gray_of, reduced
from .turns import turned, turned_back

#: Longest side of the reduced copy the page and the angle are found on.
WORK_SIDE = 1000
#: Rows turned less than this (degrees) are left as they are: engines read that little skew well,
#: and a scan must come back untouched.
MIN_TURN = 0.5
#: Fewer word blobs than this tell no direction: a crop of a word or two (a dataset's word
#: crop, a label), whose one blob's shape, a glyph's stroke, turned it a quarter. The photos
#: measured hold 25 and more.
MIN_VOTERS = 12
#: A blob of closed ink thicker than this many letters is texture, not words, and has no vote on the rows' direction.
THICK = 4.0
#: The ground is dark when the median grey lies less than this share of the way from the
#: darkest (5th percentile) to the median as from the median to the lightest (95th): most of
#: the image is near its dark end, and its marks are the light ones.
DARK_GROUND = 0.25
#: The light is evened out only where the paper's brightness varies by more than this share.
UNEVEN_LIGHT = 0.12
#: Images with a side shorter than this are left alone: there is no page to find in them.
MIN_SIDE = 24
#: The closings tried to join letters into word blobs, as shares of a letter's size: wanted
#: is one below the gap between rows (about half a letter on a dense receipt) and above the
#: gap between letters.
BLOB_CLOSE = (0.25, 0.45, 0.7)
#: How far the blobs must agree on a direction (the length of their mean direction, 0..1).
MIN_AGREEMENT = 0.3
#: Points of ink sampled for the projection profile.
_INK_SAMPLE = 40_000
#: Degrees either side of the blobs' direction that the projection searches.
_REFINE = 4.0


@attrs.frozen(slots=True)
class Flattened:
    """A flattened page and how it maps back."""

    pixels: np.ndarray = attrs.field(repr=False, eq=False)
    transform: Transform  # the flattened frame -> the image given
    page: np.ndarray | None = attrs.field(default=None, eq=False)  # the page's corners in the image given (4 x 2), or None
    angle: float = 0.0  # degrees the rows ran at, clockwise, before turning (0: not turned)
    evened: bool = False  # whether the light was evened out

    @property
    def unchanged(self) -> bool:
        return self.transform.is_identity and not self.evened


def flatten(pixels: np.ndarray, *, quarter_turns: bool = True) -> Flattened:
    """``pixels`` (8-bit, grey or BGR) flattened; the same array back when there is nothing to do.

    ``quarter_turns``: rows running down the page are turned a quarter exactly and that image is
    flattened (from the start, once); off, the rows are levelled by at most 45 degrees either way
    and a page on its side stays on its side, for an engine whose own orientation step, checked
    on its reading, decides quarter turns (the rows' direction alone is fooled by a scene's
    railings and windows).
    """
    h, w = pixels.shape[:2]
    identity = Transform.identity(w, h)
    if min(h, w) < MIN_SIDE or pixels.dtype != np.uint8:
        return Flattened(pixels, identity)
    small, factor = reduced(gray_of(pixels), WORK_SIDE)
    corners = find_page(small)  # in the reduced copy, continuous coordinates
    # the homography from the image given (continuous coordinates) to the page as a rectangle
    if corners is not None:
        page_size = _page_size(corners / factor)
        target = np.array([[0, 0], [page_size[0], 0], [page_size[0], page_size[1]], [0, page_size[1]]], np.float64)
        to_page = cv2.getPerspectiveTransform((corners / factor).astype(np.float32), target.astype(np.float32)).astype(np.float64)
    else:
        page_size = (w, h)
        to_page = np.eye(3)
    small_page = small if corners is None else _warp(small, _scaled(to_page, factor), page_size, factor, fill=_paper(small))
    # light print on a dark ground (a screen, a coloured panel): its rows are the light marks
    angle = text_angle(255 - small_page if dark_ground(small_page) else small_page)
    quarter = round(angle / 90.0)  # -1, 0 or 1: the rows run nearer down the page than across it
    if quarter and quarter_turns:
        return flatten_upright(pixels, quarter)
    angle -= 90.0 * quarter  # off: the nearest level, within 45 degrees
    if abs(angle) < MIN_TURN:
        angle = 0.0
    turn, size = _turn(angle, page_size)
    whole = turn @ to_page
    if corners is None and angle == 0.0:
        flat = pixels
    else:
        flat = _warp(pixels, whole, size, 1.0, fill=_paper(pixels))
    evened = False
    if min(flat.shape[:2]) >= MIN_SIDE:
        even = even_light(flat)
        if even is not None:
            flat, evened = even, True
    if flat is pixels:
        return Flattened(pixels, identity)
    back = Transform(np.linalg.inv(whole), size, (w, h))
    return Flattened(flat, back, None if corners is None else corners / factor, angle, evened)


def flatten_upright(pixels: np.ndarray, quarter: int) -> Flattened:
    """``pixels``, whose text is turned ``quarter`` quarter turns clockwise, turned back exactly
    (whole pixels) and flattened as given so, its rows levelled within 45 degrees: it comes out
    as the same page given upright does. The transform and the page's corners are on
    ``pixels``, and the angle is the whole turn."""
    h, w = pixels.shape[:2]
    inner = flatten(turned(pixels, -quarter), quarter_turns=False)
    back = turned_back(quarter, w, h)
    page = None if inner.page is None else back.apply(inner.page)
    return Flattened(inner.pixels, inner.transform.then(back), page, inner.angle + 90.0 * quarter, inner.evened)


def text_angle(gray: np.ndarray) -> float:
    """The direction the text rows run in, degrees clockwise from the x axis, in [-90, 90).

    Two measures, each good at what the other is not. The ink is closed into blobs a
    fraction of a character high, which joins the letters of a word but not one row to the
    next, and the blobs' long axes vote (:func:`_blob_direction`): that tells rows from columns,
    which a projection cannot on a receipt whose amounts stand in a column. Near the vote,
    the ink's projection across the rows is most peaked (rows, and gaps between them) at the
    rows' exact direction (:func:`_profile_peak`). 0 when there is too little text to tell.
    """
    ink = _ink(gray)
    rough = _blob_direction(ink)
    if rough is None:
        return 0.0
    angle = _profile_peak(ink, rough)
    return (angle + 90.0) % 180.0 - 90.0


def _blob_direction(ink: np.ndarray) -> float | None:
    """The long axes of the ink's word blobs, averaged on the half circle weighted by their area;
    ``None`` when there are too few elongated blobs, or they point every way.

    How far to close the ink depends on the letters' size, which is known only roughly (the
    median mark's longer side: a letter, or a piece of one): a few closings are tried, and the
    one whose blobs agree most strongly (the longest resultant) is taken.
    """
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    sizes = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])[stats[1:, cv2.CC_STAT_AREA] >= 4]
    if len(sizes) < 3:
        return None
    size = float(np.median(sizes))
    best: tuple[float, float] | None = None  # (resultant, direction)
    for share in BLOB_CLOSE:
        vote = _vote(ink, max(3, round(share * size)) | 1, size)
        if vote is not None and (best is None or vote[0] > best[0]):
            best = vote
    return None if best is None else best[1]


def _vote(ink: np.ndarray, kernel: int, letter: float) -> tuple[float, float] | None:
    """The blobs' agreement (the length of their weighted resultant) and their direction, after
    closing the ink with a disc ``kernel`` across; ``None`` when they agree too little.

    A blob thicker than :data:`THICK` letters (``letter``: the marks' median size) is not a word
    or a row but a patch of texture (a table's grain, a carpet, beside a page not found), whose
    area would outvote every word on the page."""
    blobs = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kernel, kernel)))
    contours, _ = cv2.findContours(blobs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cos2 = sin2 = total = 0.0
    voters = 0
    for contour in contours:
        if len(contour) < 5:
            continue
        _, (w, h), a = cv2.minAreaRect(contour)
        if min(w, h) <= 0 or max(w, h) < 2 * min(w, h):  # not elongated: a letter alone, a dot, a logo
            continue
        if min(w, h) > THICK * letter:  # a patch of texture, not a word
            continue
        voters += 1
        direction = math.radians(2 * (a if w >= h else a + 90))  # doubled: a line's two ends are one direction
        weight = cv2.contourArea(contour)  # solid word blobs count by their ink, not their box
        cos2, sin2, total = cos2 + weight * math.cos(direction), sin2 + weight * math.sin(direction), total + weight
    resultant = math.hypot(cos2, sin2)
    if total <= 0 or resultant < MIN_AGREEMENT * total or voters < MIN_VOTERS:
        return None
    return resultant, math.degrees(math.atan2(sin2, cos2)) / 2


def _profile_peak(ink: np.ndarray, near: float) -> float:
    """The direction within :data:`_REFINE` degrees of ``near`` across which the ink's projection
    has the most energy in its differences (sharp rows and gaps), to a tenth of a degree."""
    ys, xs = np.nonzero(ink)
    if len(xs) > _INK_SAMPLE:
        pick = np.random.default_rng(0).choice(len(xs), _INK_SAMPLE, replace=False)
        xs, ys = xs[pick], ys[pick]
    # a point anywhere in its pixel, not at its corner: on the pixel grid turned 45 degrees the
    # points bunch into every other bin, and that comb would outscore any text
    spread = np.random.default_rng(1).random((2, len(xs)))
    x = xs + spread[0] - xs.mean()
    y = ys + spread[1] - ys.mean()

    def score(degrees: float) -> float:
        a = math.radians(degrees)
        across = np.floor(y * math.cos(a) - x * math.sin(a)).astype(np.int64)
        profile = np.bincount(across - across.min()).astype(np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = near
    for step, reach in ((0.5, _REFINE), (0.1, 0.5)):
        candidates = np.arange(best - reach, best + reach + step / 2, step)
        best = float(candidates[int(np.argmax([score(a) for a in candidates]))])
    return best


def even_light(pixels: np.ndarray) -> np.ndarray | None:
    """``pixels`` divided by the paper's brightness (each channel by its own), or ``None``
    when the paper is evenly lit already (its brightness varies by less than :data:`UNEVEN_LIGHT`),
    or when the ground is the dark part of the image (:data:`DARK_GROUND`: light print on a
    coloured panel, a screen): the paper estimate keeps light marks as paper, and dividing by
    it washed such print into its ground (a white quotation on blue lost its first line)."""
    small, _ = reduced(pixels, 400)
    gray = gray_of(small)
    if dark_ground(gray):
        return None
    kernel = max(5, round(max(gray.shape) / 25)) | 1
    shape = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kernel, kernel))
    paper = cv2.GaussianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, shape), (0, 0), kernel / 3)
    level = gray_of(paper).astype(np.float32)
    low, high = np.percentile(level, [2, 98])
    if high <= 0 or (high - low) / high < UNEVEN_LIGHT:
        return None
    h, w = pixels.shape[:2]
    background = cv2.max(cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR), 1)
    return cv2.divide(pixels, background, scale=255.0)  # 8-bit throughout, saturating: a full photo in milliseconds


def dark_ground(gray: np.ndarray) -> bool:
    """Whether most of ``gray`` lies near its dark end (:data:`DARK_GROUND`), its marks the light ones."""
    darkest, middle, lightest = np.percentile(gray, [5, 50, 95])
    return bool(middle - darkest < DARK_GROUND * (lightest - middle))


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark marks thinner than a few text heights (a black-hat), thresholded by Otsu."""
    kernel = max(9, round(max(gray.shape) / 40)) | 1
    hat = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (kernel, kernel)))
    if int(hat.max()) < 24:  # nothing darker than its surround: no text
        return np.zeros_like(gray, dtype=bool)
    level, _ = cv2.threshold(hat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = hat > max(level, 24)
    edge = max(2, min(gray.shape) // 100)  # the frame's edge: a sliver of table left by the warp, not text
    ink[:edge], ink[-edge:], ink[:, :edge], ink[:, -edge:] = False, False, False, False
    return ink


def _page_size(corners: np.ndarray) -> tuple[int, int]:
    """The page's width and height: the mean length of its opposite sides."""
    tl, tr, br, bl = corners
    width = (np.hypot(*(tr - tl)) + np.hypot(*(br - bl))) / 2
    height = (np.hypot(*(bl - tl)) + np.hypot(*(br - tr))) / 2
    return max(1, round(width)), max(1, round(height))


def _turn(angle: float, size: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """The rotation that lays rows at ``angle`` flat, about the middle of a frame of ``size``,
    onto a frame large enough to hold all of it; and that frame's size."""
    w, h = size
    if angle == 0.0:
        return np.eye(3), size
    a = math.radians(-angle)
    cos, sin = math.cos(a), math.sin(a)
    new_w, new_h = abs(w * cos) + abs(h * sin), abs(w * sin) + abs(h * cos)
    rotate = np.array([[cos, -sin, 0.0], [sin, cos, 0.0], [0.0, 0.0, 1.0]])
    centre = np.array([[1.0, 0, -w / 2], [0, 1, -h / 2], [0, 0, 1]])
    place = np.array([[1.0, 0, new_w / 2], [0, 1, new_h / 2], [0, 0, 1]])
    return place @ rotate @ centre, (max(1, round(new_w)), max(1, round(new_h)))


def _scaled(matrix: np.ndarray, factor: float) -> np.ndarray:
    """``matrix`` (between full-size frames) between the frames reduced by ``factor``."""
    scale = np.diag([factor, factor, 1.0])
    return scale @ matrix @ np.linalg.inv(scale)


def _warp(pixels: np.ndarray, matrix: np.ndarray, size: tuple[int, int], factor: float, fill: tuple[float, ...]) -> np.ndarray:
    """``pixels`` through ``matrix`` (continuous coordinates: pixel i spans [i, i+1)) onto a
    frame of ``size`` (full-size pixels, reduced by ``factor``)."""
    out = (max(1, round(size[0] * factor)), max(1, round(size[1] * factor)))
    half = np.array([[1.0, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    by_index = np.linalg.inv(half) @ matrix @ half  # OpenCV samples at integer pixel centres
    return cv2.warpPerspective(pixels, by_index, out, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def _paper(pixels: np.ndarray) -> tuple[float, ...]:
    """The colour to fill outside the page with: the brightest common colour (the paper)."""
    sample = pixels[:: max(1, pixels.shape[0] // 64), :: max(1, pixels.shape[1] // 64)].reshape(-1, pixels.shape[2] if pixels.ndim == 3 else 1)
    return tuple(float(v) for v in np.percentile(sample, 90, axis=0))
