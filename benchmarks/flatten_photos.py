"""The offline engines with and without the photo-flattening step, through the project's own comparison (run by hand).

For each folder given (as ``benchmarks/korean_photos.py`` writes them: ``images/`` and ``gt/``;
or any folder with ``images/`` and a ``gt*/`` truth beside it), each engine is run twice, its
limits with ``flatten_photos`` off and on (whatever the engine itself declares), and the
comparison prints CER, CER with spaces removed, the word quads' H-mean against the truth quads
(where the truth has quads), and seconds per image. The baseline of each row is the same
engine with the step off, in the same run.

    python benchmarks/flatten_photos.py DIR [DIR ...] [--engines tesseract,rapidocr] [--level words]
                                        [--turn=-27,45,90] [--scale 0.5] [--fit 200x260]

``--turn``, ``--scale`` and ``--fit`` (each comma-separated) also score copies of each generated
set turned that many degrees clockwise (on a canvas grown to hold it, the edges repeated),
scaled, or shrunk to fit a box, with the truth quads moved alike: the hand-made variants that
the generator does not make.

``--mapping`` scores the step alone, with no engine: the truth word quads, boxed upright on the
flattened page and mapped back, against themselves (:func:`mapping_hmean`). ``--light threshold`` evens the light by adaptive thresholding instead of dividing by the
paper's estimated brightness, to weigh the two (see :mod:`unified_ocr.imaging.flatten`).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import tempfile
from pathlib import Path

import attrs
import cv2
import numpy as np

import unified_ocr
from unified_ocr.config.choice import choose_engine
from unified_ocr.engines.base import EngineChoice
from unified_ocr.evaluation.detection import DetectionScore
from unified_ocr.geometry import Quad
from unified_ocr.imaging import flatten as flatten_module


def with_flattening(choice: EngineChoice, on: bool) -> EngineChoice:
    """The same engine and options, its limits saying ``flatten_photos=on``."""
    base = choice.engine

    class Flattening(base):  # type: ignore[valid-type,misc]
        @property
        def limits(self) -> unified_ocr.Limits:
            return attrs.evolve(super().limits, flatten_photos=on)

    Flattening.__name__ = f"{base.__name__}{'Flat' if on else 'AsIs'}"
    return attrs.evolve(choice, label=f"{choice.label}{'+flat' if on else ''}", engine=Flattening)


def threshold_light(pixels: np.ndarray) -> np.ndarray | None:
    """The alternative to dividing by the paper: adaptive (Gaussian) thresholding, as BGR."""
    gray = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY) if pixels.ndim == 3 else pixels
    block = max(15, round(max(gray.shape) / 40)) | 1
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 10)
    return cv2.cvtColor(binary, cv2.COLOR_GRAY2BGR)


def variant(folder: Path, out: Path, *, turn: float = 0.0, scale: float = 1.0, fit: tuple[int, int] | None = None) -> Path:
    """A copy of a generated set (``images/``, ``gt/`` of quads) turned ``turn`` degrees, scaled,
    or shrunk to fit ``fit``; its truth quads moved alike."""
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "gt").mkdir(parents=True, exist_ok=True)
    for image in sorted((folder / "images").iterdir()):
        pixels = cv2.imread(str(image), cv2.IMREAD_COLOR)
        if pixels is None:
            raise SystemExit(f"{image}: not an image OpenCV reads")
        h, w = pixels.shape[:2]
        factor = min(fit[0] / w, fit[1] / h) if fit else scale
        a = math.radians(turn)
        cos, sin = abs(math.cos(a)), abs(math.sin(a))
        size = (max(1, round((w * cos + h * sin) * factor)), max(1, round((w * sin + h * cos) * factor)))
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -turn, factor)  # continuous coordinates, clockwise
        matrix[:, 2] += (size[0] / 2 - w / 2, size[1] / 2 - h / 2)
        half = np.array([[1.0, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
        by_index = (np.linalg.inv(half) @ np.vstack([matrix, [0, 0, 1]]) @ half)[:2]
        flags = cv2.INTER_AREA if factor < 1 and turn == 0 else cv2.INTER_LINEAR
        moved = cv2.warpAffine(pixels, by_index, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
        cv2.imwrite(str(out / "images" / image.name), moved, [cv2.IMWRITE_JPEG_QUALITY, 92])
        truth = json.loads((folder / "gt" / f"{image.stem}.json").read_text(encoding="utf-8"))
        for level in ("words", "lines"):
            for item in truth.get(level, []):
                points = np.asarray(item["quad"], np.float64)
                item["quad"] = np.round(points @ matrix[:, :2].T + matrix[:, 2], 1).tolist()
        (out / "gt" / f"{image.stem}.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    return out


def mapping_hmean(folder: Path) -> tuple[float, float]:
    """What the step alone does to word boxes, with no engine: each truth word quad taken onto
    the flattened page, replaced by its upright box there (what an engine reading the level rows
    reports), and mapped back to the photo; the word H-mean of those against the truth, and the
    share of pages whose rows came out within 2 degrees of level (mod 180)."""
    score = DetectionScore()
    level = pages = 0
    for image in sorted((folder / "images").iterdir()):
        truth = json.loads((folder / "gt" / f"{image.stem}.json").read_text(encoding="utf-8"))
        pixels = cv2.imread(str(image), cv2.IMREAD_COLOR)
        if pixels is None or not truth.get("words"):
            continue
        flat = flatten_module.flatten(pixels)
        into = flat.transform.inverse()
        quads = [Quad(word["quad"]) for word in truth["words"]]
        upright = [Quad.from_bbox(*q.mapped(into).bbox()).mapped(flat.transform) for q in quads]
        texts = [word["text"] for word in truth["words"]]
        score.update(quads, texts, upright, texts, str)
        rows = [(q.mapped(into).angle + 90) % 180 - 90 for q in quads]
        level += abs(float(np.median(rows))) < 2
        pages += 1
    return score.summary()["hmean"], level / max(pages, 1)


def truth_of(folder: Path) -> Path:
    for name in ("gt", "gt_icdar", "box", "annotations"):
        if (folder / name).is_dir():
            return folder / name
    raise SystemExit(f"{folder}: no truth folder (gt/) beside images/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--engines", default="tesseract,rapidocr")
    parser.add_argument("--level", default="auto", help="truth level: auto, words or lines")
    parser.add_argument("--light", choices=("divide", "threshold"), default="divide")
    parser.add_argument("--turn", default="", help="also these copies of each set, turned (degrees clockwise)")
    parser.add_argument("--scale", default="", help="also these copies of each set, scaled")
    parser.add_argument("--fit", default="", help="also these copies of each set, shrunk into WxH")
    parser.add_argument("--mapping", action="store_true", help="only the step's own word H-mean (no engine; see mapping_hmean)")
    parser.add_argument("--only-variants", action="store_true", help="score the copies, not the sets as they are")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="flatten-"))
    folders = [] if args.only_variants else list(args.folders)
    for folder in args.folders:
        for t in filter(None, args.turn.split(",")):
            folders.append(variant(folder, scratch / f"{folder.name}-turn{t}", turn=float(t)))
        for f in filter(None, args.scale.split(",")):
            folders.append(variant(folder, scratch / f"{folder.name}-x{f}", scale=float(f)))
        for box in filter(None, args.fit.split(",")):
            bw, bh = (int(v) for v in box.split("x"))
            folders.append(variant(folder, scratch / f"{folder.name}-{box}", fit=(bw, bh)))
    if args.light == "threshold":
        flatten_module.even_light = threshold_light  # type: ignore[assignment]  # the step looks it up when it runs
    if args.mapping:
        print(f"{'set':24} {'mapped word H':>13} {'rows level':>10}")
        for folder in folders:
            hmean, level = mapping_hmean(folder)
            print(f"{folder.name[:24]:24} {hmean:13.3f} {level:10.2f}")
        return
    choices = [with_flattening(choose_engine(name), on) for name in args.engines.split(",") for on in (False, True)]
    print(f"{'set':16} {'engine':15} {'CER':>7} {'CER -sp':>7} {'word H':>7} {'line H':>7} {'s/image':>8}")
    for folder in folders:
        comparison = unified_ocr.compare([folder / "images"], choices, truth=truth_of(folder), truth_level=args.level,
                                         cache=False, concurrency=1, stream=io.StringIO())  # fmt: skip
        for label, s in comparison.summary["engines"].items():
            text, speed = s["text"] or {}, s["speed"]
            bare = text.get("cer_no_spaces")
            words, lines = (f"{s[key]['hmean']:.3f}" if s.get(key) else "-" for key in ("detection", "line_detection"))
            print(f"{folder.name[:16]:16} {label:15} {text.get('cer', 0):7.4f} {'-' if bare is None else f'{bare:.4f}':>7} "
                  f"{words:>7} {lines:>7} {speed['mean_seconds'] or 0:8.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
