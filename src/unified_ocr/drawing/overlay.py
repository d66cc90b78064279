"""A result drawn over its image: to see at a glance what an engine found and in what order.

Quads are drawn as they are (turned text as turned polygons, never boxes), each numbered in
reading order at its first corner (the text's own top-left), with the text written beside it
in a font that has Hangul when one is given. Large images are drawn smaller, the quads
scaled with them.

Texts come from engines and are drawn as :func:`drawable` makes them: a bidi control would
reorder the label around it (Pillow lays text out with the bidi algorithm where it can), so
those are dropped, and control characters are drawn as their pictures (NUL as ``␀``), seen
rather than lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from ..geometry import Quad
from ..model import Page
from .fonts import glyphless, open_font

LEVELS = ("word", "line", "table", "field")
#: One colour per level (RGB): outline, and the same with a little opacity for the fill.
COLOURS = {"word": (0, 120, 255), "line": (230, 60, 0), "table": (0, 150, 70), "cell": (140, 60, 200), "field": (200, 0, 120)}
MAX_SIDE = 2000
#: Bidi embedding, override and isolate controls (U+202A-202E, U+2066-2069): dropped from what is drawn.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# what drawable() does: C0 controls and DEL become their pictures (U+2400-2421), bidi controls go
_DRAWABLE = {c: 0x2400 + c for c in range(0x20)} | {0x7F: 0x2421} | dict.fromkeys(map(ord, BIDI_CONTROLS))


def drawable(text: str) -> str:
    """``text`` as a label draws it: no bidi control to reverse what follows it, and control
    characters (NUL, ESC, a line break) as their pictures, one line."""
    return text.translate(_DRAWABLE)


@attrs.frozen(slots=True)
class Mark:
    """One thing drawn: its quad, its number in reading order (0: none), its text and kind."""

    quad: Quad
    number: int
    text: str
    kind: str


def marks(page: Page, level: str) -> list[Mark]:
    """What ``level`` draws of ``page``, numbered in reading order, texts as :func:`drawable` makes them."""
    if level not in LEVELS:
        raise ValueError(f"level is one of {', '.join(LEVELS)}, not {level!r}")
    if level == "word":
        return [Mark(w.quad, k, drawable(w.text), "word") for k, w in enumerate(page.words, 1)]
    if level == "line":
        return [Mark(line.quad, k, drawable(line.text), "line") for k, line in enumerate(page.lines, 1)]
    if level == "field":
        placed = [(f, f.quad) for f in page.fields if f.quad is not None]
        return [Mark(quad, k, drawable(f"{f.name}: {f.text}"), "field") for k, (f, quad) in enumerate(placed, 1)]
    out: list[Mark] = []
    for t, table in enumerate(page.tables, 1):
        if table.quad is not None:
            out.append(Mark(table.quad, t, "", "table"))
        for cell in table.cells:
            quad = cell.quad or (cell.lines[0].quad.union(*(x.quad for x in cell.lines[1:])) if cell.lines else None)
            if quad is not None:
                out.append(Mark(quad, 0, drawable(cell.text.replace("\n", " ")), "cell"))
    return out


def draw_overlay(pixels: np.ndarray, page: Page, *, level: str = "word", font: str | Path | None = None,
                 max_side: int = MAX_SIDE, fallback: str | Path | None = None) -> Any:  # fmt: skip
    """``page`` drawn over ``pixels`` (BGR or gray, as :meth:`~unified_ocr.Source.decode` gives
    them) as a Pillow RGB image, at most ``max_side`` pixels on its longer side. Without
    ``font`` (a font file with the script of the text) boxes and numbers are drawn, no text.
    A text with characters ``font`` has no glyph for is written in ``fallback`` (see
    :func:`~unified_ocr.drawing.fonts.find_font_for`) where that one lacks fewer."""
    from PIL import Image, ImageDraw, ImageFont

    rgb = np.ascontiguousarray(pixels[..., ::-1]) if pixels.ndim == 3 else np.stack([pixels] * 3, axis=-1)
    image = Image.fromarray(rgb)
    height, width = rgb.shape[:2]
    scale = min(1.0, max_side / max(width, height))
    if scale < 1.0:
        image = image.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.LANCZOS)
    # the result's frame may differ from the pixels' (a PDF drawn at another dpi): map one onto the other
    sx = scale * (width / page.width if page.width else 1.0)
    sy = scale * (height / page.height if page.height else 1.0)
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    found = marks(page, level)
    placed = [(m, [(x * sx, y * sy) for x, y in m.quad.points]) for m in found]
    line_width = max(1, round(max(image.size) / 800))
    for mark, points in placed:
        colour = COLOURS[mark.kind]
        pen.polygon(points, fill=(*colour, 40), outline=(*colour, 255), width=line_width)
    text_font = open_font(font, 16) if font is not None else None
    other_font = open_font(fallback, 16) if fallback is not None and font is not None else None
    for mark, points in placed:
        colour = COLOURS[mark.kind]
        size = _text_size(points)
        if text_font is not None and mark.text:
            runs = [(mark.text, text_font)]
            if other_font is not None and (lacking := set(glyphless(str(font), mark.text))):
                runs = _runs(mark.text, lacking - set(glyphless(str(fallback), "".join(lacking))), text_font, other_font)
            _label(pen, image.size, points, [(text, f.font_variant(size=size)) for text, f in runs], colour)
        if mark.number:
            _number(pen, image.size, points[0], str(mark.number), ImageFont.load_default(max(9, min(18, size))), colour)
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _text_size(points: Sequence[tuple[float, float]]) -> int:
    """A text size near the quad's own height (its left edge), kept readable and not huge."""
    (x0, y0), (x3, y3) = points[0], points[3]
    height = ((x3 - x0) ** 2 + (y3 - y0) ** 2) ** 0.5
    return int(max(10, min(30, height * 0.5)))


def _number(pen: Any, size: tuple[int, int], at: tuple[float, float], text: str, font: Any, colour: tuple[int, int, int]) -> None:
    """The reading-order number on a small filled tag at the quad's first corner."""
    left, top, right, bottom = pen.textbbox((0, 0), text, font=font)
    w, h = right - left + 4, bottom - top + 4
    x = min(max(at[0] - w / 2, 0), size[0] - w)
    y = min(max(at[1] - h / 2, 0), size[1] - h)
    pen.rectangle((x, y, x + w, y + h), fill=(*colour, 230))
    pen.text((x + 2 - left, y + 2 - top), text, font=font, fill=(255, 255, 255, 255))


def _runs(text: str, borrowed: set[str], font: Any, fallback: Any) -> list[tuple[str, Any]]:
    """``text`` cut into runs of one font each: the characters in ``borrowed`` (those ``font``
    lacks and ``fallback`` has) in ``fallback``, the rest in ``font``."""
    runs: list[tuple[str, Any]] = []
    for char in text:
        use = fallback if char in borrowed else font
        if runs and runs[-1][1] is use:
            runs[-1] = (runs[-1][0] + char, use)
        else:
            runs.append((char, use))
    return runs


def _label(pen: Any, size: tuple[int, int], points: Sequence[tuple[float, float]], runs: Sequence[tuple[str, Any]],
           colour: tuple[int, int, int]) -> None:  # fmt: skip
    """The text (runs of one font each) on a light tag just above the quad (below it at the top
    edge), inside the image."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    boxes = [pen.textbbox((0, 0), text, font=font) for text, font in runs]
    advances = [font.getlength(text) for text, font in runs]
    top, bottom = min(b[1] for b in boxes), max(b[3] for b in boxes)
    left = boxes[0][0]
    w, h = sum(advances) - left + 6, bottom - top + 4
    x = min(max(min(xs), 0), max(size[0] - w, 0))
    y = min(ys) - h - 2
    if y < 0:
        y = min(max(ys) + 2, max(size[1] - h, 0))
    pen.rectangle((x, y, x + w, y + h), fill=(255, 255, 255, 170), outline=(*colour, 160))
    at = x + 3 - left
    for (text, font), advance in zip(runs, advances):
        pen.text((at, y + 2 - top), text, font=font, fill=(20, 20, 20, 255))
        at += advance
