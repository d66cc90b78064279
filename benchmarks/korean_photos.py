"""Photo-like Korean pages with word and line truth, for developing offline Korean reading on more than a few files (run by hand).

    python benchmarks/korean_photos.py OUT_DIR [--count 60] [--seed 0] [--kinds receipt,document,thermal]
                                       [--max-angle 6] [--clean] [--dpi 0]

writes ``OUT_DIR/images/NNN.jpg`` and ``OUT_DIR/gt/NNN.json`` (``{"words": [{"text", "quad"}], "lines":
[...]}``, the ``quads-json`` truth format, each quad clockwise from its text's top-left) and
``OUT_DIR/pages.json`` (what each page is: kind, font, text height, and every setting of its warps),
so that ``unified-ocr compare OUT_DIR/images --truth OUT_DIR/gt`` and
``benchmarks/offline_engines.py --photos OUT_DIR`` score engines on them.

Why: most users' Korean images are phone photos of receipts and documents (a slant, a curl, uneven
light, a table under the page), and the shared sets hold two such photos. These are as many as
wanted, each with truth, and a seed gives the same bytes.

A page is a shop receipt (narrow, long, rows of an item and an amount), a document (a title and
paragraphs of sentences) or, asked for by ``--kinds thermal``, a thermal-printed receipt (a strip
17-22 characters wide and many rows long, each item's name on one row and its unit price, count
and amount right-aligned on the next, rules between sections, card payment rows; printed faded
by a worn head, in lighter bands down the paper and with dots that did not fire, and creased
across), rendered from Korean text with a font that draws Hangul; each word's truth quad is its
ink box. The default kinds are the first two, as before thermal receipts were added: a seed
gives the same pages it gave then. Then the photo: the page is curled (its rows bend as a sheet lying
curved), set in perspective on a textured table (corners moved as from a phone held off square,
turned up to ``--max-angle`` degrees), lit unevenly (a gradient, a bright spot, a soft shadow),
blurred, noised and JPEG-compressed. Every truth point goes through the same curl and
perspective as the pixels. ``--clean`` writes the rendered pages alone (a scan, no photo), and
``--dpi N`` renders documents with text of the size a page printed in 10-point type has at N dpi
(75-100: the small pages that orientation detection must leave upright).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw

from unified_ocr.drawing.fonts import INSTALL_HINT, find_hangul_font, font_folders, open_font

KINDS = ("receipt", "document", "thermal")
#: what a set holds unless ``--kinds`` says otherwise (the documented figures' sets)
DEFAULT_KINDS = ("receipt", "document")

SHOPS = ("행복마트", "우리슈퍼", "하나편의점", "새벽베이커리", "푸른약국", "한빛문구", "동네식당", "미소카페", "별빛분식", "서울철물점")
BRANCHES = ("강남점", "성수점", "종로점", "해운대점", "역삼점", "본점", "신촌점")
ADDRESSES = ("서울특별시 강남구 테헤란로 123", "서울 성동구 뚝섬로 379", "부산광역시 해운대구 해운대로 301",
             "서울특별시 종로구 세종대로 10", "대전광역시 서구 중앙로 88", "인천광역시 남동구 예술로 45")  # fmt: skip
ITEMS = ("아메리카노", "카페라떼", "삼각김밥", "바나나우유", "생수 500ML", "컵라면", "초코파이", "김치찌개", "된장찌개",
         "비빔밥", "볼펜 검정", "A4 용지", "건전지 AA", "새우깡", "우유 1L", "식빵", "계란 10구", "떡볶이", "순대",
         "녹차 500ML", "참치김밥", "딸기잼", "두부 한모", "콩나물", "사과 1봉")  # fmt: skip
CARDS = ("신한카드", "국민카드", "삼성카드", "현대카드", "롯데카드", "하나카드", "BC카드", "NH농협카드")
NAMES = ("김민수", "이영희", "박지훈", "최서연", "정우진", "강하늘", "윤소희")
FOOTERS = ("감사합니다", "또 오세요", "교환 및 환불은 7일 이내", "영수증을 지참해 주세요", "좋은 하루 되세요")
TITLES = ("공지사항", "회의록", "안내문", "계약서", "신청서 작성 안내", "개인정보 처리방침", "이용 약관", "업무 보고서")
SENTENCES = (
    "이 문서는 회원 여러분께 서비스 변경 사항을 안내하기 위하여 작성되었습니다.",
    "다음 달 1일부터 고객센터 운영 시간이 오전 9시부터 오후 6시까지로 변경됩니다.",
    "신청서는 담당 부서에 직접 제출하거나 우편으로 보내 주시기 바랍니다.",
    "회의에서는 올해 상반기 예산 집행 현황과 하반기 계획을 검토하였습니다.",
    "개인정보는 수집 목적이 달성된 후 지체 없이 파기합니다.",
    "제출된 서류는 반환하지 않으며 심사 결과는 개별적으로 통보합니다.",
    "자세한 내용은 홈페이지의 공지사항을 참고하여 주시기 바랍니다.",
    "본 계약은 양 당사자가 서명한 날부터 효력이 발생합니다.",
    "시설 점검으로 인하여 주차장 이용이 일시적으로 제한됩니다.",
    "문의 사항이 있으시면 전화 02-123-4567로 연락해 주십시오.",
    "참석자는 모두 열두 명이었으며 다음 회의는 3월 15일에 열립니다.",
    "요금은 매월 말일에 등록된 계좌에서 자동으로 출금됩니다.",
    "안전을 위하여 작업장에서는 반드시 보호 장비를 착용하십시오.",
    "이용자는 약관에 동의한 후 서비스를 이용할 수 있습니다.",
    "보고서는 금요일 오후 5시까지 팀장에게 제출하여야 합니다.",
    "우리 동네 도서관은 매주 월요일과 법정 공휴일에 쉽니다.",
    "가을 축제는 10월 둘째 주 토요일에 시민 공원에서 열립니다.",
    "변경된 내용은 2025년 1월 1일부터 적용됩니다.",
)  # fmt: skip


@dataclass
class Text:
    """Rendered text with its truth: words (text, 4 points) in lines (text, 4 points, word indexes)."""

    words: list[tuple[str, np.ndarray]]
    lines: list[tuple[str, np.ndarray]]

    def points(self) -> np.ndarray:
        return np.concatenate([q for _, q in self.words] + [q for _, q in self.lines]).reshape(-1, 2) if self.words else np.zeros((0, 2))

    def moved(self, points: np.ndarray) -> Text:
        n = len(self.words)
        quads = points.reshape(-1, 4, 2)
        return Text([(t, quads[k]) for k, (t, _) in enumerate(self.words)], [(t, quads[n + k]) for k, (t, _) in enumerate(self.lines)])


def hangul_fonts() -> list[Path]:
    """Installed fonts that draw Hangul, the Nanum family's regular ones first."""
    names = ("NanumGothic.ttf", "NanumMyeongjo.ttf", "NanumBarunGothic.ttf", "NanumSquareR.ttf", "NanumGothicCoding.ttf")
    found = [p for name in names for folder in font_folders() if folder.is_dir() for p in sorted(folder.rglob(name))[:1]]
    default = find_hangul_font()
    if default is not None and Path(default) not in found:
        found.append(Path(default))
    return list(dict.fromkeys(found))


class Writer:
    """Writes rows of words on a white page, keeping each word's ink box."""

    def __init__(self, width: int, font_path: Path, size: int, margin: int) -> None:
        self.width, self.margin, self.size = width, margin, size
        self.font = open_font(font_path, size)
        self.space = max(2, round(self.font.getlength(" ")))
        self.rows: list[list[tuple[str, float]]] = []  # each row: (word, x)
        self.rules: set[int] = set()  # rows that are a printed rule (dashes), not text
        self.bold: set[int] = set()

    def length(self, text: str) -> float:
        return float(self.font.getlength(text))

    def row(self, text: str, align: str = "left", indent: float = 0.0) -> None:
        words = text.split()
        total = sum(self.length(w) for w in words) + self.space * (len(words) - 1)
        x = {"left": self.margin + indent, "centre": (self.width - total) / 2, "right": self.width - self.margin - total}[align]
        placed = []
        for word in words:
            placed.append((word, x))
            x += self.length(word) + self.space
        self.rows.append(placed)

    def pair(self, left: str, right: str) -> None:
        """A label on the left and an amount flush right, one row (one truth line)."""
        self.row(left)
        x = self.width - self.margin - self.length(right)
        self.rows[-1].append((right, x))

    def cells(self, cells: list[tuple[str, float]]) -> None:
        """Words flush right at the given right edges (a receipt's columns), one row."""
        self.rows.append([(text, right - self.length(text)) for text, right in cells])

    def rule(self) -> None:
        """A row of dashes across the page, as receipts print between sections: drawn, not text."""
        self.rules.add(len(self.rows))
        self.rows.append([])

    def wrap(self, sentence: str, indent: float = 0.0) -> None:
        row: list[str] = []
        for word in sentence.split():
            if row and self.length(" ".join([*row, word])) > self.width - 2 * self.margin - indent:
                self.row(" ".join(row), indent=indent)
                row, indent = [], 0.0
            row.append(word)
        if row:
            self.row(" ".join(row), indent=indent)

    def render(self, pitch: float, ink: int) -> tuple[np.ndarray, Text]:
        step = round(self.size * pitch)
        height = 2 * self.margin + step * len(self.rows)
        image = Image.new("L", (self.width, height), 255)
        draw = ImageDraw.Draw(image)
        words, lines = [], []
        for k, row in enumerate(self.rows):
            y = self.margin + k * step
            if k in self.rules:
                dash = max(3, self.size // 3)
                mid = y + self.size // 2
                for x in range(self.margin, self.width - self.margin - dash, 2 * dash):
                    draw.line([(x, mid), (x + dash, mid)], fill=ink, width=max(1, self.size // 12))
                continue
            stroke = 1 if k in self.bold else 0
            boxes = []
            for word, x in row:
                draw.text((x, y), word, font=self.font, fill=ink, stroke_width=stroke, stroke_fill=ink)
                x0, y0, x1, y1 = draw.textbbox((x, y), word, font=self.font, stroke_width=stroke)
                box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)
                words.append((word, box))
                boxes.append(box)
            if boxes:
                allp = np.concatenate(boxes)
                (x0, y0), (x1, y1) = allp.min(0), allp.max(0)
                lines.append((" ".join(w for w, _ in row), np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)))
        return np.asarray(image), Text(words, lines)


def receipt(rng: np.random.Generator, font: Path, size: int) -> tuple[np.ndarray, Text]:
    width = int(rng.integers(22, 30)) * size
    w = Writer(width, font, size, margin=int(1.5 * size))
    pick = lambda seq: seq[int(rng.integers(len(seq)))]  # noqa: E731
    w.row(f"{pick(SHOPS)} {pick(BRANCHES)}", "centre")
    w.row(pick(ADDRESSES), "centre")
    w.row(f"사업자번호: {rng.integers(100, 999)}-{rng.integers(10, 99)}-{rng.integers(10000, 99999)}")
    w.row(f"일시: 2025-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d} {rng.integers(8, 23):02d}:{rng.integers(0, 60):02d}")
    w.pair("상품명", "금액")
    total = 0
    for _ in range(int(rng.integers(4, 10))):
        price = int(rng.integers(5, 120)) * 100
        count = int(rng.integers(1, 4))
        total += price * count
        w.pair(f"{pick(ITEMS)} x{count}", f"{price * count:,}")
    w.pair("합계", f"{total:,}")
    w.pair("부가세", f"{total // 11:,}")
    w.pair("받은금액", f"{(total // 10000 + 1) * 10000:,}")
    w.row(pick(FOOTERS), "centre")
    return w.render(pitch=float(rng.uniform(1.45, 1.8)), ink=int(rng.integers(0, 70)))


def document(rng: np.random.Generator, font: Path, size: int) -> tuple[np.ndarray, Text]:
    width = int(rng.integers(32, 44)) * size
    w = Writer(width, font, size, margin=int(2.5 * size))
    w.row(TITLES[int(rng.integers(len(TITLES)))], "centre")
    order = rng.permutation(len(SENTENCES))
    for start in range(0, int(rng.integers(5, 10)), 3):
        paragraph = " ".join(SENTENCES[int(k)] for k in order[start : start + 3])
        w.wrap(paragraph, indent=2 * size)
    return w.render(pitch=float(rng.uniform(1.5, 1.9)), ink=int(rng.integers(0, 50)))


def thermal(rng: np.random.Generator, font: Path, size: int) -> tuple[np.ndarray, Text]:
    """A shop's thermal-printer receipt: a long narrow strip of columns (item; price, count, amount),
    rules between sections, card payment lines, printed by a worn head on creased paper."""
    width = int(rng.integers(17, 23)) * size
    margin = int(0.8 * size)
    w = Writer(width, font, size, margin=margin)
    pick = lambda seq: seq[int(rng.integers(len(seq)))]  # noqa: E731
    right = width - margin
    price_x, count_x = right - 0.42 * (right - margin), right - 0.27 * (right - margin)
    w.bold.add(len(w.rows))
    w.row(f"{pick(SHOPS)} {pick(BRANCHES)}", "centre")
    w.row(f"사업자 {rng.integers(100, 999)}-{rng.integers(10, 99)}-{rng.integers(10000, 99999)}")
    w.row(f"대표 {pick(NAMES)} TEL 02-{rng.integers(200, 999)}-{rng.integers(1000, 9999)}")
    w.wrap(pick(ADDRESSES))
    w.row(f"[매출] 2025-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d} {rng.integers(8, 23):02d}:{rng.integers(0, 60):02d}:{rng.integers(0, 60):02d}")
    w.row(f"POS:{rng.integers(1, 9):02d}-{rng.integers(1000, 9999)}")
    w.rule()
    w.cells([("상품명", margin + w.length("상품명")), ("단가", price_x), ("수량", count_x), ("금액", right)])
    w.rule()
    total = 0
    for _ in range(int(rng.integers(5, 14))):
        price = int(rng.integers(5, 120)) * 100
        count = int(rng.integers(1, 4))
        total += price * count
        w.row(pick(ITEMS))
        w.cells([(f"{price:,}", price_x), (str(count), count_x), (f"{price * count:,}", right)])
    w.rule()
    w.pair("과세물품가액", f"{total - total // 11:,}")
    w.pair("부가세", f"{total // 11:,}")
    w.bold.add(len(w.rows))
    w.pair("합계금액", f"{total:,}")
    w.rule()
    w.pair("카드종류", pick(CARDS))
    w.pair("카드번호", f"{rng.integers(1000, 9999)}-{rng.integers(10, 99)}**-****-{rng.integers(1000, 9999)}")
    w.pair("승인번호", f"{rng.integers(10000000, 99999999)}")
    w.pair("할부", "일시불")
    w.rule()
    w.row(pick(FOOTERS), "centre")
    page, text = w.render(pitch=float(rng.uniform(1.3, 1.6)), ink=0)
    return thermal_print(page, rng), text


def thermal_print(page: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ink as a worn thermal head leaves it: faded overall, lighter in bands along the paper
    (a head's weak dots), fading down the strip, and speckled where dots did not fire."""
    h, w = page.shape
    dark = (255 - page.astype(np.float32)) / 255
    strength = float(rng.uniform(0.45, 0.85))  # how dark the darkest ink is
    bands = cv2.resize(rng.uniform(0.55, 1.0, (1, max(2, w // 24))).astype(np.float32), (w, 1), interpolation=cv2.INTER_CUBIC)
    down = np.linspace(1.0, float(rng.uniform(0.7, 1.0)), h, dtype=np.float32)[:, None]
    dots = (rng.random((h, w)) > float(rng.uniform(0.0, 0.12))).astype(np.float32)
    dots = cv2.GaussianBlur(dots, (0, 0), 0.6)
    fired = dark * strength * np.clip(bands, 0, 1) * down * dots
    return np.clip(255 * (1 - fired), 0, 255).astype(np.uint8)


def creases(page: np.ndarray, text: Text, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, Text, dict[str, Any]]:
    """A long receipt folded across: below each fold the strip runs on at a slightly other angle
    (a kink: its edges bend, each row below moved sideways and kept level) and the fold's two
    sides catch the light differently. Returns the folded page, its paper mask (255 on paper)
    and the truth moved with it."""
    h, w = page.shape[:2]
    folds = sorted(float(f) for f in rng.uniform(0.15, 0.85, int(rng.integers(1, 4))) * h)
    slopes = [float(rng.uniform(-0.03, 0.03)) for _ in folds]

    def offset(y: np.ndarray) -> np.ndarray:
        return sum((np.clip(y - f, 0, None) * s for f, s in zip(folds, slopes, strict=True)), np.zeros_like(y))

    ys = np.arange(h, dtype=np.float32)
    shift = offset(ys)
    pad = int(math.ceil(float(np.abs(shift).max()))) + 2
    xs, yy = np.meshgrid(np.arange(w + 2 * pad, dtype=np.float32), ys)
    map_x = (xs - pad - shift[:, None]).astype(np.float32)
    shade = np.ones(h, np.float32)
    for f in folds:
        shade[int(f):] *= float(rng.uniform(0.9, 1.0))
    folded = cv2.remap(page, map_x, yy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    inside = cv2.remap(np.full_like(page, 255), map_x, yy, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    folded = np.where(inside > 0, folded.astype(np.float32) * shade[:, None], 255).astype(np.uint8)
    for f in folds:
        row = int(f)
        folded[row] = np.where(inside[row] > 0, np.minimum(folded[row], 215), folded[row])
    points = text.points().copy()
    points[:, 0] += offset(points[:, 1]) + pad
    return folded, inside, text.moved(points), {"folds": [round(f / h, 3) for f in folds], "fold_slopes": [round(s, 4) for s in slopes]}


# ---------------------------------------------------------------- the photo


def curl(page: np.ndarray, text: Text, rng: np.random.Generator, paper: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, Text, dict[str, Any]]:
    """Rows bent as on a sheet lying curved: each column moves down by ``depth * sin(...)``, up to
    a fortieth of the page's height. ``paper`` is where the page is paper (255), if not all of it:
    a strip, whose depth is a share of its width (a long receipt's edges lift; its rows do not
    bend by a share of its length)."""
    h, w = page.shape[:2]
    depth = float(rng.uniform(0.0, 0.025)) * (h if paper is None else w) * (1 if rng.random() < 0.5 else -1)
    phase = float(rng.uniform(-0.4, 0.4))
    pad = int(math.ceil(abs(depth))) + 2

    def shift(x: np.ndarray) -> np.ndarray:
        return depth * np.sin(np.pi * x / w + phase) + pad

    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h + 2 * pad, dtype=np.float32))
    map_y = (ys - shift(xs)).astype(np.float32)
    alpha = np.full((h, w), 255, np.uint8) if paper is None else paper
    bent = cv2.remap(page, xs, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    mask = cv2.remap(alpha, xs, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    points = text.points().copy()
    points[:, 1] += shift(points[:, 0])
    return bent, mask, text.moved(points), {"depth": round(depth, 2), "phase": round(phase, 3)}


def table(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """A textured table top: low-frequency blotches, grain along one direction, a colour."""
    w, h = size
    low = cv2.resize(rng.normal(0, 1, (max(2, h // 64), max(2, w // 64))).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    grain = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), sigmaX=8, sigmaY=0.8)
    if rng.random() < 0.5:
        grain = grain.T.copy() if h == w else cv2.resize(grain.T.copy(), (w, h))
    base = np.array([rng.uniform(60, 170), rng.uniform(70, 170), rng.uniform(80, 190)], np.float32)  # BGR
    shade = 18 * low + 10 * grain
    return np.clip(base[None, None, :] + shade[:, :, None], 0, 255).astype(np.uint8)


def lighting(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """A multiplier per pixel: a gradient across the photo, a bright spot, maybe a soft shadow."""
    w, h = size
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xs / w + np.sin(angle) * ys / h)
    light = 1.0 - float(rng.uniform(0.1, 0.35)) * (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.3, 0.8) * max(w, h)
    light += float(rng.uniform(0.0, 0.15)) * np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * r * r))
    if rng.random() < 0.5:
        sx, sy = rng.uniform(0, w), rng.uniform(0, h)
        blob = np.exp(-(((xs - sx) / (0.25 * w)) ** 2 + ((ys - sy) / (0.4 * h)) ** 2))
        light *= 1.0 - float(rng.uniform(0.15, 0.35)) * blob
    return light.astype(np.float32)


def photograph(page: np.ndarray, text: Text, rng: np.random.Generator, max_angle: float,
               paper: np.ndarray | None = None) -> tuple[np.ndarray, Text, dict[str, Any]]:
    bent, mask, text, settings = curl(page, text, rng, paper)
    h, w = bent.shape[:2]
    border = float(rng.uniform(0.08, 0.25))
    cw, ch = int(w * (1 + 2 * border)), int(h * (1 + 2 * border))
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    # corners moved by up to 6 % of the page's sides; a long strip's by 6 % of its width both
    # ways (6 % of its length across would tilt its rows by up to a quarter turn)
    jitter = rng.uniform(-0.06, 0.06, (4, 2)) * ([w, h] if paper is None else [w, w])
    angle = math.radians(float(rng.uniform(-max_angle, max_angle)))
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    target = (corners + jitter - [w / 2, h / 2]) @ rot.T
    target -= target.min(0)
    scale = min((cw - 4) / np.ptp(target[:, 0]), (ch - 4) / np.ptp(target[:, 1]), 1.0)
    target = target * scale + ([cw, ch] - np.ptp(target, 0) * scale) / 2
    homography = cv2.getPerspectiveTransform(corners.astype(np.float32), target.astype(np.float32))
    paper = cv2.warpPerspective(bent, homography, (cw, ch), flags=cv2.INTER_LINEAR, borderValue=255)
    alpha = cv2.warpPerspective(mask, homography, (cw, ch), flags=cv2.INTER_LINEAR, borderValue=0).astype(np.float32)[..., None] / 255
    tint = np.array([rng.uniform(225, 255), rng.uniform(230, 255), rng.uniform(235, 255)], np.float32) / 255
    photo = alpha * (paper[..., None].astype(np.float32) * tint) + (1 - alpha) * table(rng, (cw, ch)).astype(np.float32)
    photo *= lighting(rng, (cw, ch))[..., None]
    sigma = float(rng.uniform(0.3, 1.3))
    photo = cv2.GaussianBlur(photo, (0, 0), sigma)
    noise = float(rng.uniform(2, 8))
    photo = np.clip(photo + rng.normal(0, noise, photo.shape), 0, 255).astype(np.uint8)
    quality = int(rng.integers(45, 86))
    photo = cv2.imdecode(cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)
    points = cv2.perspectiveTransform(text.points().reshape(-1, 1, 2), homography).reshape(-1, 2)
    settings.update({"angle": round(math.degrees(angle), 2), "blur_sigma": round(sigma, 2), "noise": round(noise, 2),
                     "jpeg_quality": quality, "background_share": round(border, 3)})  # fmt: skip
    return photo, text.moved(points), settings


def make_page(seed: int, index: int, kinds: tuple[str, ...], max_angle: float, clean: bool, dpi: float) -> tuple[np.ndarray, Text, dict[str, Any]]:
    """Page ``index`` of the set of ``seed``: the same pixels and truth for the same arguments."""
    rng = np.random.default_rng([seed, index])
    fonts = hangul_fonts()
    if not fonts:
        raise SystemExit(f"no font that draws Hangul is installed: {INSTALL_HINT}")
    font = fonts[int(rng.integers(len(fonts)))]
    kind = kinds[index % len(kinds)]
    if kind == "thermal" and "Myeongjo" in font.name:  # receipt printers print in gothic (sans) faces
        font = next((f for f in fonts if "Myeongjo" not in f.name), font)
    # 10-point type is 10/72 inch; its em box holds the Hangul syllables
    size = round(10 / 72 * dpi * 1.1) if dpi else int(rng.integers(16, 28) if kind == "thermal" else rng.integers(18, 34))
    page, text = {"receipt": receipt, "document": document, "thermal": thermal}[kind](rng, font, size)
    info: dict[str, Any] = {"kind": kind, "font": font.name, "text_px": size}
    paper = None
    if kind == "thermal" and not clean:
        page, paper, text, folds = creases(page, text, rng)
        info.update(folds)
    if clean:
        return cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), text, info
    photo, text, settings = photograph(page, text, rng, max_angle, paper)
    return photo, text, {**info, **settings}


def truth_json(text: Text) -> str:
    def item(t: str, q: np.ndarray) -> dict[str, Any]:
        return {"text": t, "quad": [[round(float(x), 1), round(float(y), 1)] for x, y in q]}

    return json.dumps({"words": [item(*w) for w in text.words], "lines": [item(*line) for line in text.lines]}, ensure_ascii=False)


def write_set(out: Path, count: int, seed: int, kinds: tuple[str, ...], max_angle: float, clean: bool, dpi: float) -> list[dict[str, Any]]:
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "gt").mkdir(parents=True, exist_ok=True)
    records = []
    for index in range(count):
        image, text, info = make_page(seed, index, kinds, max_angle, clean, dpi)
        name = f"{index:03d}"
        suffix = ".png" if clean else ".jpg"
        cv2.imwrite(str(out / "images" / (name + suffix)), image, [] if clean else [cv2.IMWRITE_JPEG_QUALITY, 95])
        (out / "gt" / f"{name}.json").write_text(truth_json(text), encoding="utf-8")
        records.append({"image": name + suffix, "width": image.shape[1], "height": image.shape[0], **info})
    settings = {"seed": seed, "kinds": list(kinds), "max_angle": max_angle, "clean": clean, "dpi": dpi}
    (out / "pages.json").write_text(json.dumps({"settings": settings, "pages": records}, ensure_ascii=False, indent=1), encoding="utf-8")
    return records


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS),
                        help=f"comma-separated, of {', '.join(KINDS)} (default: {','.join(DEFAULT_KINDS)}; thermal: a long"
                        " thermal-printed receipt, faded and creased)")
    parser.add_argument("--max-angle", type=float, default=6.0, help="the page is turned up to this many degrees either way")
    parser.add_argument("--clean", action="store_true", help="the rendered pages alone: no curl, perspective or photo")
    parser.add_argument("--dpi", type=float, default=0.0, help="text the size of 10-point type at this dpi (0: 18-34 px)")
    args = parser.parse_args(argv)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    if not kinds or set(kinds) - set(KINDS):
        parser.error(f"--kinds takes {', '.join(KINDS)}")
    records = write_set(args.out, args.count, args.seed, kinds, args.max_angle, args.clean, args.dpi)
    print(f"{len(records)} pages in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
