"""Preparing uploads and cropping, against the vendor sample pipeline, in one process (run by hand).

    python benchmarks/prepare_bench.py [--repeat N]

Baseline for uploads: the Kakao sample code (``cv2.imread``, ``cv2.resize`` to a 4096 px
side, ``cv2.imencode(".png")``). unified-ocr: ``open_source`` + ``prepare`` against Kakao's
limits (8 MB, 4096 px). Inputs, written to a temporary folder first:
(a) a 2000x1500 JPEG, (b) a 6000x4000 JPEG photo, (c) an 8000x6000 PNG scan.
Goals: (a) >= 50x and byte-identical, (b) >= 2.5x and under 8 MB, (c) under 8 MB.

End to end through HTTP (``--http``): the same (a) and (b) posted to a plain HTTP server (the
standard library's, answering every request with the same small Kakao-shaped JSON at once):
the Kakao sample's pipeline followed by ``requests.post`` of its PNG, against
``unified_ocr.recognize`` with the Kakao engine pointed at that server. Goals: (a) >= 10x,
(b) >= 2x.

Baseline for crops: a bare ``cv2.getPerspectiveTransform`` + ``cv2.warpPerspective`` loop
over the same quads. Goal: ``crop_many`` at >= 0.8 of its throughput.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np
import requests
from timing import best_of  # benchmarks/timing.py, beside this script

import unified_ocr
from unified_ocr import Limits, Quad, Secret, crop_many, open_source, prepare
from unified_ocr_kakao import KakaoOptions

KAKAO = Limits(max_side=4096, max_bytes=8 * 1024 * 1024, formats=frozenset({"jpeg", "png", "bmp", "tiff"}))
EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def vendor_sample(path: str) -> bytes:
    """The seed's pipeline, as written there."""
    image = cv2.imread(path)
    height, width = image.shape[:2]
    if max(height, width) > 4096:
        ratio = 4096 / max(height, width)
        image = cv2.resize(image, None, fx=ratio, fy=ratio)
    return cv2.imencode(".png", image)[1].tobytes()


def ours(path: str) -> bytes:
    return next(prepare(open_source(path), KAKAO)).data


def _photo(width: int, height: int) -> np.ndarray:
    """A camera-like picture: a real scene photo scaled up, with sensor noise (synthetic if none is at hand)."""
    scenes = sorted((EVAL / "icdar2015" / "images").glob("*.jpg"))
    if scenes:
        base = cv2.imread(str(scenes[0]))
    else:
        base = cv2.GaussianBlur(np.random.default_rng(0).integers(0, 255, (450, 600, 3), dtype=np.uint8), (31, 31), 0)
    big = cv2.resize(base, (width, height), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(1).normal(0, 4, big.shape)
    return np.clip(big + noise, 0, 255).astype(np.uint8)


def _scan(width: int, height: int) -> np.ndarray:
    """A scanned page of text: black print on white."""
    page = np.full((height, width), 255, np.uint8)
    rng = np.random.default_rng(2)
    for y in range(200, height - 200, 110):
        words = " ".join("".join(chr(rng.integers(97, 123)) for _ in range(rng.integers(2, 9))) for _ in range(14))
        cv2.putText(page, words, (200, y), cv2.FONT_HERSHEY_SIMPLEX, 2.6, 0, 5, cv2.LINE_AA)
    return page


CASES = {
    "(a) 2000x1500 JPEG": ("a.jpg", lambda: _photo(2000, 1500), [cv2.IMWRITE_JPEG_QUALITY, 90]),
    "(b) 6000x4000 JPEG photo": ("b.jpg", lambda: _photo(6000, 4000), [cv2.IMWRITE_JPEG_QUALITY, 92]),
    "(c) 8000x6000 PNG scan": ("c.png", lambda: _scan(8000, 6000), []),
}


def write_inputs(folder: Path) -> dict[str, Path]:
    paths = {}
    for label, (name, make, params) in CASES.items():
        paths[label] = folder / name
        cv2.imwrite(str(paths[label]), make(), params)
    return paths


def bench_uploads(paths: dict[str, Path], repeat: int) -> None:
    print(f"{'input':<26} {'file MB':>8} {'sample s':>9} {'ours s':>8} {'ratio':>7} {'sample MB':>10} {'ours MB':>8}  same bytes")
    for label, path in paths.items():
        sample_bytes, our_bytes = vendor_sample(str(path)), ours(str(path))
        t_sample = best_of(lambda p=str(path): vendor_sample(p), repeat)
        t_ours = best_of(lambda p=str(path): ours(p), repeat)
        identical = our_bytes == path.read_bytes()
        print(
            f"{label:<26} {path.stat().st_size / 1e6:8.2f} {t_sample:9.4f} {t_ours:8.4f} {t_sample / t_ours:6.1f}x"
            f" {len(sample_bytes) / 1e6:10.2f} {len(our_bytes) / 1e6:8.2f}  {identical}"
        )


#: What the plain server answers to every request: one word, in Kakao's shape.
_ANSWER = json.dumps({"responses": [{"page": 1, "results": [
    {"box": [[10, 10], [90, 10], [90, 30], [10, 30]], "recognized_word": ["TOTAL"]}]}]}).encode()  # fmt: skip


class _PlainServer(BaseHTTPRequestHandler):
    """Reads the whole body and answers at once: the network and the server cost next to nothing."""

    protocol_version = "HTTP/1.1"  # keeps connections open for a client that reuses them

    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(_ANSWER)))
        self.end_headers()
        self.wfile.write(_ANSWER)

    def log_message(self, *args: object) -> None:
        pass


def bench_http(paths: dict[str, Path], repeat: int) -> None:
    """(a) and (b) end to end: prepared (or not) and posted to a plain local server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PlainServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/ocr/general"
    key = "bench-key"
    options = KakaoOptions(endpoint=url, api_key=Secret.of(key))

    def sample(path: str) -> object:
        answer = requests.post(url, headers={"x-api-key": key}, files={"image": vendor_sample(path)}, timeout=60)
        return answer.json()

    def ours_http(path: str) -> object:
        return unified_ocr.recognize(path, engine=options, cache=False)

    print(f"{'through HTTP':<26} {'sample s':>9} {'ours s':>8} {'ratio':>7}")
    try:
        for label in ("(a) 2000x1500 JPEG", "(b) 6000x4000 JPEG photo"):
            path = str(paths[label])
            sample(path), ours_http(path)  # warm: connections, the engine
            t_sample = best_of(lambda p=path: sample(p), repeat)
            t_ours = best_of(lambda p=path: ours_http(p), repeat)
            print(f"{label:<26} {t_sample:9.4f} {t_ours:8.4f} {t_sample / t_ours:6.1f}x")
    finally:
        server.shutdown()


def bench_crops(repeat: int, count: int = 3000) -> None:
    image = _photo(2000, 1500)
    rng = np.random.default_rng(3)
    quads = []
    for _ in range(count):
        cx, cy = rng.uniform(100, 1900), rng.uniform(100, 1400)
        w, h, theta = rng.uniform(20, 220), rng.uniform(12, 48), math.radians(rng.uniform(-180, 180))
        u, v = np.array([math.cos(theta), math.sin(theta)]), np.array([-math.sin(theta), math.cos(theta)])
        c = np.array([cx, cy])
        quads.append(Quad([c - u * w / 2 - v * h / 2, c + u * w / 2 - v * h / 2, c + u * w / 2 + v * h / 2, c - u * w / 2 + v * h / 2]))
    raw = [np.float32(q.points) for q in quads]

    def bare() -> None:
        for src in raw:
            w = int(round(float(np.linalg.norm(src[1] - src[0]))))
            h = int(round(float(np.linalg.norm(src[3] - src[0]))))
            dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
            cv2.warpPerspective(image, cv2.getPerspectiveTransform(src, dst), (w, h))

    t_bare = statistics.median(best_of(bare, 1) for _ in range(repeat))
    t_ours = statistics.median(best_of(lambda: crop_many(image, quads), 1) for _ in range(repeat))
    print(f"crops: {count} rotated quads; bare loop {count / t_bare:,.0f}/s, crop_many {count / t_ours:,.0f}/s, "
          f"throughput ratio {t_bare / t_ours:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the best (uploads) or median (crops) counts")
    parser.add_argument("--http", action="store_true", help="also (a) and (b) end to end through HTTP to a plain local server")
    args = parser.parse_args()
    print(f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} threads")
    with tempfile.TemporaryDirectory() as folder:
        paths = write_inputs(Path(folder))
        bench_uploads(paths, args.repeat)
        if args.http:
            bench_http(paths, args.repeat)
    bench_crops(args.repeat)


if __name__ == "__main__":
    main()
