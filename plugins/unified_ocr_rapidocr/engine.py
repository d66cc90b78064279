"""RapidOCR mapped to the unified-ocr model: a line per detected box, words where it splits them,
in reading order (see :mod:`.mapping` for how turned text keeps its direction).

RapidOCR itself is imported only when the engine is created, so that ``unified-ocr engines``
can explain a missing extra instead of failing to import.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from pathlib import Path
from typing import Any

import attrs
import cv2
import numpy as np

from unified_ocr import EngineOptions, Limits, OcrResult, Page, Upload
from unified_ocr.engines.base import RUNTIME, Engine
from unified_ocr.errors import EngineUnavailableError, RecognitionError
from unified_ocr.layout import order_lines

from .mapping import Decisions, read_lines, watch
from .spaces import favour_spaces

#: The model files the rapidocr wheel ships; nothing is ever downloaded.
MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
EXTRA_HINT = "install the 'local' extra: pip install 'unified-ocr[local]'"
#: RapidOCR enlarges an image whose short side is under this for detection (its ``Det.limit_side_len``).
DETECTION_SIDE = 736


@attrs.frozen(slots=True)
class RapidOcrOptions(EngineOptions):
    """Settings of the offline engine; each is a key of a ``backend = "rapidocr"`` profile."""

    text_score: float = 0.5  # drop lines recognised with less confidence than this
    use_angle_cls: bool = True  # detect and turn upside-down lines before recognition
    word_boxes: bool = True  # split lines into words with their own quads
    max_side_len: int = 2000  # RapidOCR shrinks larger images for detection (and maps back)
    # RapidOCR enlarges small images for detection; at most this many times (a smaller one is padded: bounded_upscale); 0: no limit
    max_upscale: float = attrs.field(default=2.0, validator=[attrs.validators.ge(0), attrs.validators.le(1000)])
    threads: int = attrs.field(default=-1, metadata=RUNTIME)  # ONNX Runtime intra-op threads; -1 lets it choose


def _models_dir() -> Path | None:
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "models"


def rapidocr_params(options: RapidOcrOptions) -> dict[str, Any]:
    """The parameters the engine builds its ``RapidOCR`` with for ``options``: the bundled
    models and the settings they map to (``benchmarks/offline_overhead.py`` builds a bare RapidOCR
    the same way). Recognition keeps RapidOCR's own batching (``Rec.rec_batch_num`` 6, crops
    sorted by width): batches of 12 or 24 were slower (crops padded to the widest of more)
    and read SROIE no better; of 1 or 3, no faster."""
    models = _models_dir()
    if models is None:
        raise EngineUnavailableError("rapidocr", f"rapidocr not installed; {EXTRA_HINT}")
    params: dict[str, Any] = {
        "Global.log_level": "error",
        "Global.text_score": options.text_score,
        "Global.use_cls": options.use_angle_cls,
        "Global.max_side_len": options.max_side_len,
        "Det.limit_side_len": DETECTION_SIDE,
        "Det.limit_type": "min",
        "EngineConfig.onnxruntime.intra_op_num_threads": options.threads,
    }
    params.update({f"{task}.model_path": str(models / file) for task, file in MODEL_FILES.items()})
    return params


def text_detector(**det: Any) -> Any | None:
    """RapidOCR's text detector alone (no direction, no recognition), with the model its wheel
    ships: for another engine that wants its line boxes (the Tesseract engine's detector mode).
    ``det`` sets the detector's own settings (``limit_type="min", limit_side_len=32``: the image
    at the size given, not enlarged). ``None`` without the ``local`` extra. Each call makes a new one: keep it."""
    try:
        from rapidocr import RapidOCR
    except ImportError:
        return None
    models = _models_dir()
    if models is None:
        return None
    params = {"Global.log_level": "error", "Global.use_cls": False, "Global.use_rec": False,
              "Det.model_path": str(models / MODEL_FILES["Det"]), **{f"Det.{key}": value for key, value in det.items()}}  # fmt: skip
    return RapidOCR(params=params)


class RapidOcrEngine(Engine[RapidOcrOptions]):
    name = "rapidocr"
    Options = RapidOcrOptions
    needs_network = False
    default_priority = 100  # offline, no account: the default when nothing names an engine
    revision = 7  # 2: quads of turned text start at the text's top-left, lines in reading order; 3: visual lines; 4: max_upscale; 5: a low-score "180" is upright; 6: spaces the recogniser half-sees are kept (spaces.py); 7: the space weighted 4, not 3
    description = "offline: RapidOCR 3, PP-OCRv6 models (Latin, Chinese, Japanese; no Hangul)"
    scripts = frozenset({"Latn", "Hani", "Hira", "Kana"})  # PP-OCRv6: no Hangul

    def __init__(self, options: RapidOcrOptions | None = None) -> None:
        super().__init__(options)
        reason = self.missing_dependencies()
        if reason:
            raise EngineUnavailableError(self.name, reason)
        from rapidocr import RapidOCR

        self._ocr = RapidOCR(params=rapidocr_params(self.options))
        self._lock = threading.Lock()  # one ONNX session set; calls are serialised
        self._decisions: Decisions | None = None  # RapidOCR's per-box decisions in the call under the lock
        watch(self._ocr, self._keep)
        favour_spaces(self._ocr)  # loads the recogniser now: its decoder keeps narrow spaces

    def _keep(self, decisions: Decisions | None) -> None:
        self._decisions = decisions

    @property
    def limits(self) -> Limits:
        return Limits(
            formats=frozenset({"jpeg", "png", "bmp", "tiff", "webp"}),
            honours_exif=True,  # decoded with OpenCV, which applies EXIF orientation
            takes_pixels=True,
        )

    @classmethod
    def missing_dependencies(cls) -> str | None:
        missing = [m for m in ("rapidocr", "onnxruntime") if importlib.util.find_spec(m) is None]
        if missing:
            return f"{' and '.join(missing)} not installed; {EXTRA_HINT}"
        models = _models_dir()
        absent = [f for f in MODEL_FILES.values() if models is None or not (models / f).is_file()]
        if absent:
            return f"the rapidocr package lacks its bundled models ({', '.join(absent)}); reinstall it: {EXTRA_HINT}"
        return None

    def recognize(self, upload: Upload) -> OcrResult:
        pixels = bounded_upscale(upload.decode(), self.options.max_upscale)
        try:
            with self._lock:
                self._decisions = None
                out = self._ocr(pixels, return_word_box=self.options.word_boxes)
                decisions = self._decisions
        except Exception as exc:  # the library raises bare exceptions; keep the source in the message
            raise RecognitionError(f"{upload.source}: rapidocr failed: {exc!r}") from exc
        lines, blocks = order_lines(read_lines(out, decisions))
        width, height = upload.size
        page = Page(0, width, height, lines=lines, blocks=blocks)
        return OcrResult(self.name, (page,), raw=None, meta={})


def bounded_upscale(pixels: np.ndarray, max_upscale: float) -> np.ndarray:
    """``pixels`` padded on the right and bottom (in the colour of their border) so that RapidOCR,
    which enlarges every image to :data:`DETECTION_SIDE` on its short side for detection,
    enlarges them at most ``max_upscale`` times (0: as RapidOCR would).

    Enlarging a word crop or a small label 10 to 30 times costs seconds and reads it worse
    (measured in ``benchmarks/rapidocr_small.py``); the padding adds no text, and the page and
    every quad keep the original image's frame, as padding at the right and bottom moves nothing.
    """
    height, width = pixels.shape[:2]
    need = math.ceil(DETECTION_SIDE / max_upscale) if max_upscale > 0 else 0
    if min(height, width) >= need:
        return pixels
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    colour = np.median(border, axis=0)
    value = [float(v) for v in np.atleast_1d(colour)]
    return cv2.copyMakeBorder(pixels, 0, max(0, need - height), 0, max(0, need - width), cv2.BORDER_CONSTANT, value=value)
