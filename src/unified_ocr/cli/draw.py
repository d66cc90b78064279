"""``draw``: a result drawn over its image, as a PNG to look at."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ..api import load_result, recognize
from ..config.choice import choose_engine
from ..config.profiles import load_config
from ..drawing import LEVELS, draw_overlay, find_font_for, find_hangul_font, glyphless, has_hangul, marks
from ..drawing.fonts import INSTALL_HINT, open_font
from ..drawing.overlay import MAX_SIDE, Mark
from ..engines.scope import EngineScope
from ..errors import ConfigError, UnifiedOcrError
from ..imaging.documents import no_pixels
from ..imaging.pdf import DEFAULT_DPI
from ..imaging.sources import open_source
from .common import CONFIG_HELP, DPIS, ENGINE_HELP, EXIT_FAILED, config_errors_exit, output_paths


@click.command()
@click.argument("images", nargs=-1, metavar="IMAGE...")
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Where the PNGs go: NAME.png per image (NAME-pN.png per page of a PDF or multi-page TIFF).")
@click.option("-e", "--engine", metavar="NAME", help=ENGINE_HELP + " Recognises each image first (the result cache answers what was read before).")
@click.option("-r", "--result", "results", multiple=True, type=click.Path(dir_okay=False, path_type=Path), metavar="R.json",
              help="Draw a saved result instead, no engine called: one per IMAGE in order, or alone (its image taken from "
                   "the result's meta.source).")
@click.option("--level", type=click.Choice(LEVELS), default="word", show_default=True,
              help="What to draw: words, lines, tables (and their cells) or named fields.")
@click.option("--font", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="A font file for the text beside each box [default: a system font with Hangul, when one is found].")
@click.option("--max-side", type=click.IntRange(min=100), default=MAX_SIDE, show_default=True,
              help="Larger images are drawn smaller, to this many pixels on their longer side.")
@click.option("-c", "--config", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("--dpi", type=DPIS, default=DEFAULT_DPI, show_default=True, help="Resolution PDF pages are drawn at.")
def draw(images: tuple[str, ...], out: Path, engine: str | None, results: tuple[Path, ...], level: str, font: Path | None,
         max_side: int, config: Path | None, dpi: float) -> None:  # fmt: skip
    """Draw what an engine found over each IMAGE: quads as they are (turned text turned), numbered
    in reading order, the text beside each box.

    \b
    Examples:
      unified-ocr draw receipt.jpg --out overlays/                 # the offline default engine
      unified-ocr draw scan.jpg --engine clova --level line --out overlays/
      unified-ocr draw --result saved/receipt.json --out overlays/  # a saved result, no call
    """
    with config_errors_exit():
        if font is not None and not (font.is_file() and _is_font(font)):
            raise ConfigError(f"--font {font}: not a font file that can be read (a .ttf, .otf or .ttc)")
        if font is not None and not has_hangul(font):
            click.echo(f"note: --font {font} has no Hangul: Korean text will not show", err=True)
        if results and engine:
            raise ConfigError("give --engine or --result, not both: --result draws a saved result with no engine")
        if results and images and len(results) != len(images):
            raise ConfigError(f"{len(results)} --result for {len(images)} image(s): give one per image, in order, or --result alone")
        if not images and not results:
            raise ConfigError("name the IMAGE(s) to draw, or saved results with --result")
        chosen = font if font is not None else find_hangul_font()
        if chosen is None:
            click.echo(f"note: no font with Hangul found: boxes and numbers only, no text ({INSTALL_HINT})", err=True)
        glyphs = _Glyphs(chosen)
        scope = EngineScope()
        choice = None if results else choose_engine(engine, load_config(config))
        if choice is not None:
            scope.get(choice)  # a missing extra or credential stops here, before any image
    jobs: list[tuple[str, Path | None]] = [(str(i), results[k] if results else None) for k, i in enumerate(images)] if images else []
    jobs += [] if images else [("", r) for r in results]
    failed = 0
    with scope:
        for image, saved in jobs:
            try:
                result = load_result(saved) if saved is not None else None
                if not image:
                    assert result is not None and saved is not None
                    image = str(result.meta.get("source") or "")
                    if not image:
                        raise ConfigError(f"{saved}: the result does not say its image (meta.source); name it: IMAGE --result {saved}")
                source = open_source(image)
                if source.document:  # sent to engines as it is: no pixels to draw on
                    raise no_pixels(image, source.document, "an overlay")
                if result is None:
                    result = recognize(source, choice, cache=True, dpi=dpi, scope=scope)
                (target,) = output_paths([image], out, ".png")
                out.mkdir(parents=True, exist_ok=True)
                for page in result.pages:
                    if page.index >= source.pages:
                        raise ConfigError(f"{image}: the result has page {page.index + 1}, the image {source.pages}; is it this image's?")
                    found = marks(page, level)
                    fallback = glyphs.fallback(found)
                    drawn = draw_overlay(source.decode(page.index, dpi), page, level=level, font=chosen, max_side=max_side,
                                         fallback=fallback)  # fmt: skip
                    path = target if len(result.pages) == 1 else target.with_name(f"{target.stem}-p{page.index + 1}.png")
                    drawn.save(path, format="PNG", optimize=False)
                    click.echo(f"{image} -> {path}", err=True)
                    if not found:
                        click.echo(f"note: {image}: nothing at level {level} on page {page.index + 1}", err=True)
            except (UnifiedOcrError, OSError) as exc:
                failed += 1
                said, name = str(exc), image or str(saved)
                click.echo(f"error: {said if said.startswith(name) else f'{name}: {said}'}", err=True)
    if failed:
        sys.exit(EXIT_FAILED)


def _is_font(path: Path) -> bool:
    """A font Pillow opens (one without Hangul is still a font: its Latin text is drawn)."""
    try:
        open_font(path, 12)
    except OSError:
        return False
    return True


class _Glyphs:
    """For each page, a second font for the characters the chosen one lacks (Han beyond a Korean
    font's Hanja, Arabic, ...), found once per set of them; where none has them, said once."""

    def __init__(self, font: Path | None) -> None:
        self.font, self.told = font, False

    def fallback(self, page_marks: Sequence[Mark]) -> Path | None:
        """A font for the characters of a page's marks that the chosen font lacks, if any."""
        if self.font is None:
            return None
        lacking = glyphless(self.font, "".join(m.text for m in page_marks))
        if not lacking:
            return None
        found = find_font_for(lacking)
        still = glyphless(found, lacking) if found is not None else lacking
        if still and not self.told:
            self.told = True
            shown = " ".join(still[:8]) + (" ..." if len(still) > 8 else "")
            click.echo(f"note: no font found has a glyph for {shown}: they show as boxes (a font with them: --font PATH, "
                       "or apt-get install fonts-noto-cjk)", err=True)  # fmt: skip
        return found
