"""unified-ocr as an OCRmyPDF engine: searchable PDFs from CLOVA, Kakao or any unified-ocr engine.

Installed with the ``ocrmypdf`` extra, it registers through OCRmyPDF's own entry-point group
(``ocrmypdf``) and is chosen with OCRmyPDF's engine selection::

    ocrmypdf --ocr-engine unified --unified-profile receipts in.pdf out.pdf

``--unified-profile`` and ``--unified-config`` pick the profile as ``unified-ocr recognize``
does (defaults included: the config's default profile, else the offline default engine). Each
page image OCRmyPDF hands over is recognised through the profile's engine and given back as
OCRmyPDF's element tree (pages, paragraphs, lines with their text angle, words with their
boxes, polygons and confidences), so its renderer lays the invisible text over the printed
words, turned text included. OCRmyPDF runs pages in parallel; the plugin adds no
concurrency of its own, spaces calls across OCRmyPDF's workers by the profile's
``rate_limit`` (a lock file beside the result cache), retries as the profile says, and
answers pages already read from the result cache, so running OCRmyPDF again on the same
file makes no paid calls.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from ocrmypdf import hookimpl
from ocrmypdf.exceptions import BadArgsError
from ocrmypdf.pluginspec import OcrEngine, OrientationConfidence
from pydantic import BaseModel

from .elements import page_element

log = logging.getLogger(__name__)
ENGINE = "unified"  # --ocr-engine unified


class UnifiedOptions(BaseModel):
    """The plugin's options, under ``options.unified``."""

    profile: str | None = None
    config: str | None = None


@hookimpl
def register_options() -> dict[str, type[BaseModel]]:
    return {"unified": UnifiedOptions}


@hookimpl
def add_options(parser: Any) -> None:
    for action in parser._actions:  # OCRmyPDF lists its engines as choices: this one joins them
        if "--ocr-engine" in action.option_strings and action.choices is not None and ENGINE not in action.choices:
            action.choices = [*action.choices, ENGINE]
            action.help = (action.help or "") + f" '{ENGINE}' uses a unified-ocr engine (--unified-profile)."
    group = parser.add_argument_group("unified-ocr", "A unified-ocr engine (CLOVA, Kakao, offline engines), with --ocr-engine unified")
    group.add_argument("--unified-profile", metavar="NAME", dest="unified_profile",
                       help="A profile of the unified-ocr configuration, or an engine name [default: the config's default "
                            "profile, else the offline default engine].")  # fmt: skip
    group.add_argument("--unified-config", metavar="FILE", dest="unified_config",
                       help="The unified-ocr configuration file [default: $UNIFIED_OCR_CONFIG, then ./unified-ocr.toml].")


def _selected(options: Any) -> bool:
    return options is not None and getattr(options, "ocr_engine", None) == ENGINE


def _settings(options: Any) -> UnifiedOptions:
    settings = getattr(options, "unified", None)
    return settings if isinstance(settings, UnifiedOptions) else UnifiedOptions()


def _choice(options: Any) -> Any:
    from unified_ocr.config.choice import choose_engine
    from unified_ocr.config.profiles import load_config

    settings = _settings(options)
    return choose_engine(settings.profile, load_config(settings.config))


@hookimpl
def check_options(options: Any) -> None:
    """A missing profile, credential or extra stops here, before the first page, as a usage error."""
    if not _selected(options):
        return
    from unified_ocr.errors import UnifiedOcrError

    try:
        choice = _choice(options)
        reason = choice.engine.unavailable_reason(choice.options)
    except UnifiedOcrError as exc:
        raise BadArgsError(f"unified-ocr: {exc}") from None
    if reason:
        raise BadArgsError(f"unified-ocr: engine {choice.label!r} cannot run here: {reason}")


@hookimpl
def get_ocr_engine(options: Any) -> OcrEngine | None:
    return UnifiedOcrEngine() if _selected(options) else None


def recognize_page(input_file: Path, options: Any) -> Any:
    """The page image's result, from the cache when it was read before; a call otherwise,
    spaced from the other workers' calls by the profile's rate limit."""
    from unified_ocr.api import planned_calls, recognize
    from unified_ocr.cache import ResultCache
    from unified_ocr.engines.ratelimit import SharedRateLimiter

    choice = _choice(options)
    cache = ResultCache()
    rate = getattr(choice.options, "rate_limit", None)
    if rate and planned_calls(input_file, choice, cache=cache):
        fingerprint = json.dumps(choice.engine.fingerprint(choice.options), sort_keys=True, default=str)
        name = f"{choice.engine.name}-{hashlib.sha256(fingerprint.encode()).hexdigest()[:12]}"
        SharedRateLimiter(cache.folder / "rate-limits" / name, rate).acquire()
    return recognize(input_file, choice, cache=cache)


class UnifiedOcrEngine(OcrEngine):
    """OCRmyPDF's view of a unified-ocr engine."""

    @staticmethod
    def version() -> str:
        import unified_ocr

        return unified_ocr.__version__

    @staticmethod
    def creator_tag(options: Any) -> str:
        return f"unified-ocr {UnifiedOcrEngine.version()} ({_settings(options).profile or 'default engine'})"

    def __str__(self) -> str:
        return f"unified-ocr {self.version()}"

    @staticmethod
    def languages(options: Any) -> set[str]:
        return set()  # the profile says its language (lang); OCRmyPDF's -l is not checked against a list

    @staticmethod
    def get_orientation(input_file: Path, options: Any) -> OrientationConfidence:
        return OrientationConfidence(angle=0, confidence=0.0)  # engines read turned text as it is, and say its angle

    @staticmethod
    def get_deskew(input_file: Path, options: Any) -> float:
        return 0.0

    @staticmethod
    def supports_generate_ocr() -> bool:
        return True

    @staticmethod
    def generate_ocr(input_file: Path, options: Any, page_number: int = 0) -> tuple[Any, str]:
        """The page as OCRmyPDF's element tree, and its text."""
        from PIL import Image

        result = recognize_page(input_file, options)
        with Image.open(input_file) as image:
            dpi = image.info.get("dpi", (300, 300))
        page = result.pages[0]
        return page_element(page, float(dpi[0] if isinstance(dpi, tuple) else dpi), page_number), page.text

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options: Any) -> None:
        """hOCR, for OCRmyPDF versions or renderers that ask for it (the exports' hOCR 1.2)."""
        from unified_ocr.exports.hocr import to_hocr

        result = recognize_page(input_file, options)
        output_hocr.write_text(to_hocr(result), encoding="utf-8")
        output_text.write_text(result.text, encoding="utf-8")

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options: Any) -> None:
        raise NotImplementedError("the unified engine gives text to OCRmyPDF's own renderer; leave --pdf-renderer at auto")
