"""Synthetic thermal receipts with SROIE-style truth, for measuring the line builder on receipts no shared set holds (run by hand).

    python benchmarks/receipt_pages.py OUT_DIR [--count 20] [--seed 0] [--pitch 1.0-1.3]
                                       [--variant none|rotate|warp|photo] [--korean]

writes ``OUT_DIR/images/NNN.png``, ``OUT_DIR/box/NNN.csv`` (``x1,y1,...,x4,y4,TEXT`` per text
segment, clockwise from the text's top-left, as SROIE's ``box`` files) and ``OUT_DIR/pages.json``
(each page's font, glyph height, pitch and transform), for example to read through engines with
``layout_engines.py --images OUT_DIR/images --truth OUT_DIR/box``.

Why: a thermal printer prints its rows with a pitch close to the glyph height, so the padded
boxes a detector returns for neighbouring rows overlap, which is where a line builder that
links overlapping boxes interleaves rows. The shared receipts are few and looser than many;
these are as tight as asked, and as many as wanted.

What a page holds: a centred shop header (the name bold and larger), address and phone rows,
date/cashier rows with a value across a gutter, item rows (a label on the left, an amount
right-aligned, sometimes quantity and unit price columns, or the code and name on one row and
the figures on the next), dashed separators (drawn, not text: SROIE's truth leaves them out),
subtotal, tax, total, cash and change rows and a footer. Text is Latin and digits (``--korean``:
Hangul where a font that draws it is installed, for engines that read it).

The **glyph height** of a style is the ink height of every character a receipt may print, from
the top of a bracket to the bottom of a descender (about the ``(`` of ``(Hg)``), 14-22 px for body
text; the **pitch** is the distance between the baselines of two rows of one style over that
height, drawn per page from ``--pitch``: at 1.0 a bracket may touch one of the row below. Between
rows of different sizes, the gap between their glyph cells is ``(pitch - 1)`` times their mean
glyph height. Each truth quad is the segment's ink box, found from the rendered glyphs, grown by
one pixel (SROIE's boxes are about that tight).

Variants (every choice seeded, so a seed gives the same bytes): ``rotate`` turns the page by up
to 4 degrees either way on a white canvas that holds all of it; ``warp`` is a perspective warp as
from a phone held off square (one edge 3-10 % shorter, corners moved, turned up to 2 degrees);
``photo`` is that warp on a grey background with uneven lighting, a slight blur, noise and a
JPEG round trip at quality 80. Quads move with the pixels.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw

from unified_ocr.drawing.fonts import find_hangul_font, font_folders, open_font

VARIANTS = ("none", "rotate", "warp", "photo")

#: Latin font families, regular and bold file names, as their packages install them.
FAMILIES = (
    ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    ("NanumGothicCoding.ttf", "NanumGothicCodingBold.ttf"),
)
#: Bold file names of Hangul fonts ``find_hangul_font`` may give, by the regular file's name.
HANGUL_BOLD = {"NanumGothic.ttf": "NanumGothicBold.ttf", "NanumBarunGothic.ttf": "NanumBarunGothicBold.ttf",
               "NanumGothicCoding.ttf": "NanumGothicCodingBold.ttf", "NanumSquareR.ttf": "NanumSquareB.ttf"}  # fmt: skip


# ---------------------------------------------------------------- what a receipt says


@dataclass(frozen=True)
class Words:
    """The vocabulary of one script: Latin, or Hangul with Latin digits."""

    shops: tuple[str, ...]
    kinds: tuple[str, ...]
    streets: tuple[str, ...]
    towns: tuple[str, ...]
    items: tuple[str, ...]
    names: tuple[str, ...]
    labels: dict[str, tuple[str, ...]]
    footers: tuple[str, ...]


LATIN = Words(
    shops=("GOLDEN", "SUNRISE", "MEGA", "CITY", "EVERGREEN", "LUCKY", "PERDANA", "SRI", "ORCHID", "HAPPY", "UNITED",
           "PACIFIC", "ROYAL", "KIM", "AIK HUAT", "TAN", "BESTWAY", "FAMILY", "CORNER", "MORNING"),
    kinds=("MINI MARKET", "HARDWARE", "BAKERY", "PHARMACY", "BOOK STORE", "STATIONERY", "RESTAURANT", "CAFE",
           "TRADING", "ENTERPRISE", "SUPERSTORE", "KITCHEN", "DELI", "GROCER"),
    streets=("JALAN MAWAR 3/2", "JALAN SAGU 18", "MAIN STREET", "KING ROAD", "JALAN PUCHONG", "HIGH STREET",
             "LORONG BATU 5", "ELM AVENUE", "JALAN KLANG LAMA", "STATION ROAD"),
    towns=("40400 SHAH ALAM, SELANGOR", "81100 JOHOR BAHRU, JOHOR", "SPRINGFIELD, IL 62704", "47100 PUCHONG",
           "LONDON N1 7GU", "52100 KEPONG, KUALA LUMPUR", "PORTLAND, OR 97205", "10450 GEORGETOWN, PENANG"),
    items=("MILO 1KG", "GARDENIA BREAD", "MINERAL WATER 1.5L", "A4 PAPER 80GSM", "PVC PIPE 1/2 INCH", "SCREW 8X1",
           "CHICKEN RICE", "ICED LEMON TEA", "NASI LEMAK", "KOPI O", "TOOTHPASTE 150G", "FRESH MILK 1L",
           "EGGS GRADE A 10S", "INSTANT NOODLES 5S", "DISH SOAP 900ML", "BATTERY AA 4PCS", "GLUE STICK 21G",
           "CHOC CHIP COOKIES", "TISSUE ROLL 10S", "CURRY PUFF", "ROTI CANAI", "TEH TARIK", "BEEF BURGER",
           "FRENCH FRIES (L)", "GREEN TEA 500ML", "BALL PEN BLUE", "MASKING TAPE 24MM", "PAINT BRUSH 2\"",
           "CABLE TIE 200MM", "SPONGE 3PCS", "ORANGE JUICE", "KF MODELLING CLAY", "NOTEBOOK A5", "RICE 5KG"),
    names=("AMY", "MANIS", "JOHN", "SITI", "KUMAR", "LEE", "ANNA", "RAJ", "NURUL", "DAVID"),
    labels={
        "date": ("DATE:", "Date :", "DATE"), "time": ("TIME:", "Time :", "TIME"),
        "cashier": ("CASHIER:", "Cashier :", "SERVED BY:"), "receipt": ("RECEIPT NO:", "INVOICE NO:", "DOC NO:", "BILL #"),
        "table": ("TABLE:", "COUNTER:", "POS:"), "tel": ("TEL:", "Tel :", "PHONE:"), "fax": ("FAX:", "Fax :"),
        "reg": ("CO. REG:", "GST ID:", "SST REG NO:"),
        "item": ("ITEM", "DESCRIPTION", "CODE/DESC"), "qty": ("QTY", "Qty"), "price": ("PRICE", "U.PRICE", "RM"),
        "amount": ("AMOUNT", "AMT", "TOTAL"), "subtotal": ("SUBTOTAL", "Sub Total", "TOTAL SALES"),
        "tax": ("GST 6%", "SST 6%", "TAX", "SERVICE TAX 6%"), "rounding": ("ROUNDING", "Rounding Adj"),
        "total": ("TOTAL", "GRAND TOTAL", "TOTAL (RM):", "NET TOTAL"), "cash": ("CASH", "Cash", "TENDERED"),
        "change": ("CHANGE", "Change", "CHANGE DUE"), "items": ("ITEMS:", "No. of Items:", "QTY TOTAL:"),
    },  # fmt: skip
    footers=("THANK YOU", "PLEASE COME AGAIN", "GOODS SOLD ARE NOT RETURNABLE", "*** THANK YOU ***",
             "HAVE A NICE DAY", "KEEP THIS RECEIPT", "FOR EXCHANGE WITHIN 7 DAYS", "WWW.SHOP-ONLINE.COM"),
)  # fmt: skip

HANGUL = Words(
    shops=("행복", "우리", "하나", "새벽", "푸른", "한빛", "동네", "서울", "미소", "별빛"),
    kinds=("마트", "편의점", "베이커리", "약국", "문구", "식당", "카페", "철물점", "슈퍼", "분식"),
    streets=("테헤란로 123", "강남대로 45", "종로 7길 12", "중앙로 88", "해운대로 301", "세종대로 10"),
    towns=("서울특별시 강남구", "부산광역시 해운대구", "서울특별시 종로구", "대전광역시 서구", "인천광역시 남동구"),
    items=("아메리카노", "카페라떼", "삼각김밥", "바나나우유", "생수 500ML", "컵라면", "초코파이", "김치찌개",
           "된장찌개", "비빔밥", "볼펜 검정", "A4 용지", "건전지 AA", "새우깡", "우유 1L", "식빵", "계란 10구",
           "떡볶이", "순대", "녹차 500ML"),
    names=("김민수", "이지은", "박서준", "최유진", "정하늘"),
    labels={
        "date": ("일시:", "날짜:"), "time": ("시간:",), "cashier": ("담당:", "판매원:"),
        "receipt": ("영수증번호:", "거래번호:"), "table": ("테이블:", "POS:"), "tel": ("전화:", "TEL:"),
        "fax": ("팩스:",), "reg": ("사업자번호:",), "item": ("상품명", "품명"), "qty": ("수량",), "price": ("단가",),
        "amount": ("금액",), "subtotal": ("과세물품가액", "소계"), "tax": ("부가세", "부가세 10%"),
        "rounding": ("할인",), "total": ("합계", "총 금액", "결제금액"), "cash": ("받은금액", "현금"),
        "change": ("거스름돈",), "items": ("총 수량:",),
    },  # fmt: skip
    footers=("감사합니다", "또 오세요", "교환 및 환불은 7일 이내", "영수증을 지참해 주세요"),
)  # fmt: skip


# ---------------------------------------------------------------- fonts and rows


def charset(words: Words) -> str:
    """Every character a receipt in ``words`` may print, once: the probe text whose ink a glyph cell must hold."""
    texts = [*words.shops, *words.kinds, *words.streets, *words.towns, *words.items, *words.names, *words.footers]
    texts += [label for labels in words.labels.values() for label in labels]
    texts.append("0123456789 ()-,.:/#*X PC RM 개 SDN BHD ENTERPRISE & CO LTD TAX INVOICE CASH BILL SALES RECEIPT")
    every = "".join(texts)
    return "".join(sorted(set(every + every.upper() + every.title()) - {" "}))


@dataclass(frozen=True)
class Style:
    """A font at one size and its glyph cell: ``ascent`` above the baseline and ``descent``
    below it, of the ink of every character the receipt may print (:func:`charset`): from the
    top of a bracket to the bottom of a descender, so no two rows' ink meets at pitch 1.0."""

    font: Any
    ascent: int
    descent: int
    name: str

    @property
    def height(self) -> int:
        return self.ascent + self.descent


def probe_cell(font: Any, probe: str) -> tuple[int, int]:
    left, top, right, bottom = font.getbbox(probe, anchor="ls")
    return -top, bottom


def style(path: Path, height: float, probe: str, within: tuple[int, int] = (1, 1000)) -> Style:
    """The font at ``path`` at the size whose probe text is about ``height`` pixels high, and
    ``within`` those bounds (a size's glyph height rounds to whole pixels)."""
    ascent, descent = probe_cell(open_font(path, 100), probe)
    size = max(6, round(100 * height / (ascent + descent)))
    for _ in range(8):
        font = open_font(path, size)
        ascent, descent = probe_cell(font, probe)
        if ascent + descent < within[0]:
            size += 1
        elif ascent + descent > within[1]:
            size -= 1
        else:
            break
    return Style(font, ascent, descent, f"{path.name}@{size}")


def installed(name: str) -> Path | None:
    for folder in font_folders():
        if folder.is_dir():
            found = sorted(folder.rglob(name))
            if found:
                return found[0]
    return None


def families(korean: bool) -> list[tuple[Path, Path]]:
    """The (regular, bold) font files this machine has, for the script asked."""
    if korean:
        regular = find_hangul_font()
        if regular is None:
            raise SystemExit("--korean: no font that draws Hangul is installed (apt-get install fonts-nanum)")
        bold = regular.with_name(HANGUL_BOLD.get(regular.name, regular.name))
        found = [(regular, bold if bold.is_file() else regular)]
        coding = installed("NanumGothicCoding.ttf")
        if coding is not None:
            coding_bold = coding.with_name("NanumGothicCodingBold.ttf")
            found.append((coding, coding_bold if coding_bold.is_file() else coding))
        return found
    found = []
    for regular_name, bold_name in FAMILIES[:-1]:
        regular_path, bold_path = installed(regular_name), installed(bold_name)
        if regular_path is not None:
            found.append((regular_path, bold_path or regular_path))
    if not found:
        raise SystemExit("no DejaVu or Liberation font is installed (apt-get install fonts-dejavu-core)")
    return found


@dataclass
class Piece:
    """One text segment of a row: placed by its left edge (``l``), right edge (``r``) or centred on the page (``c``)."""

    text: str
    align: str
    x: float = 0.0


@dataclass
class Row:
    """A printed row: its segments in one style, or a dashed separator (``pieces`` empty), or a blank row."""

    style: Style | None
    pieces: list[Piece] = field(default_factory=list)
    separator: bool = False


# ---------------------------------------------------------------- composing a receipt


class Composer:
    """Writes the rows of one receipt, fitting each to the paper's width."""

    def __init__(self, rng: random.Random, words: Words, body: Style, bold: Style, big: Style, width: int) -> None:
        self.rng, self.words, self.body, self.bold, self.big = rng, words, body, bold, big
        self.width = width
        self.margin = rng.randint(10, 26)
        self.left, self.right = self.margin, width - self.margin
        self.gutter = max(2 * body.font.getlength(" "), 0.8 * body.height)
        self.rows: list[Row] = []
        self.upper = words is LATIN and rng.random() < 0.6

    def pick(self, options: tuple[str, ...] | list[str]) -> str:
        return self.rng.choice(list(options))

    def label(self, key: str) -> str:
        text = self.pick(self.words.labels[key])
        return text.upper() if self.upper else text

    def case(self, text: str) -> str:
        return text if self.upper or self.words is not LATIN else text.title()

    def fits(self, st: Style, text: str, space: float) -> str:
        """``text`` cut by words (then characters) until it is at most ``space`` wide."""
        while st.font.getlength(text) > space and " " in text:
            text = text.rsplit(" ", 1)[0]
        while st.font.getlength(text) > space and len(text) > 1:
            text = text[:-1]
        return text.strip()

    def centred(self, text: str, st: Style | None = None) -> None:
        """``text`` centred, wrapped by words onto as many rows as it needs."""
        st = st or self.body
        line: list[str] = []
        for word in text.split():
            if line and st.font.getlength(" ".join([*line, word])) > self.right - self.left:
                self.rows.append(Row(st, [Piece(self.fits(st, " ".join(line), self.right - self.left), "c")]))
                line = []
            line.append(word)
        if line:
            self.rows.append(Row(st, [Piece(self.fits(st, " ".join(line), self.right - self.left), "c")]))

    def pair(self, left: str, right: str, st: Style | None = None, indent: float = 0.0) -> None:
        """``left`` from the margin and ``right`` against the right margin, a gutter at least between them."""
        st = st or self.body
        space = self.right - self.left - indent - st.font.getlength(right) - self.gutter
        self.rows.append(Row(st, [Piece(self.fits(st, left, space), "l", self.left + indent), Piece(right, "r", self.right)]))

    def columns(self, texts: list[str], rights: list[float], st: Style | None = None, indent: float = 0.0) -> None:
        """The first text from the margin, the others right-aligned at ``rights``."""
        st = st or self.body
        space = rights[0] - st.font.getlength(texts[1]) - self.gutter - self.left - indent
        pieces = [Piece(self.fits(st, texts[0], space), "l", self.left + indent)]
        pieces += [Piece(t, "r", x) for t, x in zip(texts[1:], rights) if t]
        self.rows.append(Row(st, pieces))

    def separator(self) -> None:
        self.rows.append(Row(None, separator=True))

    def blank(self) -> None:
        self.rows.append(Row(None))

    def money(self, value: float) -> str:
        return f"{value:,.0f}" if self.words is HANGUL else f"{value:.2f}"

    def compose(self) -> list[Row]:
        rng, w = self.rng, self.words
        self.header()
        self.info()
        self.separator()
        total = self.items()
        self.separator()
        self.totals(total)
        if rng.random() < 0.7:
            self.separator()
        elif rng.random() < 0.5:
            self.blank()
        for footer in rng.sample(list(w.footers), rng.randint(1, 3)):
            self.centred(self.case(footer) if footer.isascii() else footer)
        return self.rows

    def header(self) -> None:
        rng, w = self.rng, self.words
        shop = f"{self.pick(w.shops)} {self.pick(w.kinds)}"
        if w is LATIN and rng.random() < 0.5:
            shop += " " + self.pick(("SDN BHD", "ENTERPRISE", "& CO", "LTD"))
        self.centred(shop if w is not LATIN else shop.upper(), self.big)
        if rng.random() < 0.6:
            digits = "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(6, 10) if w is LATIN else 10))
            reg = f"({digits}-{rng.choice('AKPUVWX')})" if w is LATIN else f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
            self.centred(reg if rng.random() < 0.5 else f"{self.label('reg')} {reg}")
        number = rng.randint(1, 250)
        street = f"NO. {number}, {self.pick(w.streets)}," if w is LATIN else f"{self.pick(w.towns)} {self.pick(w.streets)}"
        self.centred(self.case(street) if w is LATIN else street)
        if w is LATIN:
            self.centred(self.case(self.pick(w.towns)))
        phone, fax = self.phone(), self.phone()
        if rng.random() < 0.5:
            self.centred(f"{self.label('tel')} {phone} {self.label('fax')} {fax}")
        else:
            self.centred(f"{self.label('tel')} {phone}")

    def phone(self) -> str:
        rng = self.rng
        if self.words is LATIN:
            return f"0{rng.randint(2, 9)}-{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        return f"0{rng.randint(2, 6)}-{rng.randint(100, 9999)}-{rng.randint(1000, 9999)}"

    def info(self) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            self.blank()
        if rng.random() < 0.4 and self.words is LATIN:
            self.centred(self.pick(("TAX INVOICE", "CASH BILL", "RECEIPT", "SALES RECEIPT")), self.bold)
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2016, 2024)
        date = f"{day:02d}/{month:02d}/{year}" if self.words is LATIN else f"{year}-{month:02d}-{day:02d}"
        time = f"{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        number = f"{rng.choice(['CS', 'R', 'INV', ''])}{rng.randint(10**4, 10**8)}"
        rows = [(self.label("date"), date, self.label("time"), time), (self.label("receipt"), number, None, None),
                (self.label("cashier"), self.pick(self.words.names), self.label("table"), str(rng.randint(1, 40)))]  # fmt: skip
        rng.shuffle(rows)
        for key, value, key2, value2 in rows[: rng.randint(2, 3)]:
            if key2 is not None and value2 is not None and rng.random() < 0.5:
                self.pair(f"{key} {value}", f"{key2} {value2}")
            elif rng.random() < 0.5:
                # a value column, as in SROIE's 000, a gutter after the key at least
                value_x = self.left + max(self.body.font.getlength("M" * 10), self.body.font.getlength(key) + self.gutter)
                self.rows.append(Row(self.body, [Piece(key, "l", self.left), Piece(value, "l", value_x)]))
            else:
                self.rows.append(Row(self.body, [Piece(f"{key} {value}", "l", self.left)]))

    def items(self) -> float:
        rng, st = self.rng, self.body
        kind = rng.choice(["simple", "qty", "full", "two-row", "qty-line"])
        wide = st.font.getlength("8888.88" if self.words is LATIN else "888,888")
        narrow = st.font.getlength("88")
        amount_right = self.right
        price_right = amount_right - wide - self.gutter
        qty_right = price_right - wide - self.gutter
        if kind == "full" and qty_right - narrow - self.gutter - self.left < 0.35 * (self.right - self.left):
            kind = "qty"
        if kind == "qty":
            qty_right = amount_right - wide - self.gutter
        if kind in ("qty", "full", "two-row") and rng.random() < 0.7:
            heads = {"qty": [self.label("item"), self.label("qty"), self.label("amount")],
                     "full": [self.label("item"), self.label("qty"), self.label("price"), self.label("amount")],
                     "two-row": [self.label("item"), self.label("price"), self.label("amount")]}[kind]  # fmt: skip
            rights = {"qty": [qty_right, amount_right], "full": [qty_right, price_right, amount_right],
                      "two-row": [price_right, amount_right]}[kind]  # fmt: skip
            self.columns(heads, rights)
            if rng.random() < 0.5:
                self.separator()
        total = 0.0
        for _ in range(rng.randint(3, 12)):
            name = self.pick(self.words.items)
            name = self.case(name) if self.words is LATIN else name
            qty = rng.choice([1, 1, 1, 2, 3, 4, 6, 10])
            price = rng.randint(5, 1200) / 20 if self.words is LATIN else rng.randint(5, 300) * 100
            amount = qty * price
            total += amount
            if kind == "simple":
                self.pair(name if qty == 1 else f"{qty} {name}", self.money(amount))
            elif kind == "qty":
                self.columns([name, str(qty), self.money(amount)], [qty_right, amount_right])
            elif kind == "full":
                self.columns([name, str(qty), self.money(price), self.money(amount)], [qty_right, price_right, amount_right])
            elif kind == "two-row":
                code = "".join(str(rng.randint(0, 9)) for _ in range(13))
                self.rows.append(Row(st, [Piece(code, "l", self.left),
                                          Piece(self.fits(st, name, self.right - self.left - st.font.getlength(code) - self.gutter),
                                                "l", self.left + st.font.getlength(code) + self.gutter)]))  # fmt: skip
                unit = "PC" if self.words is LATIN else "개"
                self.columns([f"{qty} {unit}", self.money(price), self.money(amount)], [price_right, amount_right],
                             indent=st.font.getlength("MM"))  # fmt: skip
            else:  # qty-line: the name and amount, then "2 X 3.50" under it when more than one
                self.pair(name, self.money(amount))
                if qty > 1:
                    self.rows.append(Row(st, [Piece(f"{qty} X {self.money(price)}", "l", self.left + st.font.getlength("MM"))]))
        return total

    def totals(self, total: float) -> None:
        rng = self.rng
        rate = 0.06 if self.words is LATIN else 0.1
        tax = round(total * rate, 2)
        grand = total + tax
        rounding = round(round(grand * 20) / 20 - grand, 2) if self.words is LATIN else 0.0
        grand += rounding
        paid = math.ceil(grand / 10) * 10 if self.words is LATIN else math.ceil(grand / 10000) * 10000
        rows: list[tuple[str, float | None, Style]] = [
            (self.label("subtotal"), total, self.body),
            (self.label("tax"), tax, self.body),
        ]
        if self.words is LATIN and rng.random() < 0.5:
            rows.append((self.label("rounding"), rounding, self.body))
        rows.append((self.label("total"), grand, self.bold if rng.random() < 0.7 else self.body))
        if rng.random() < 0.3:
            rows.append((self.label("items"), None, self.body))
        rows += [(self.label("cash"), paid, self.body), (self.label("change"), paid - grand, self.body)]
        label_right = self.right - self.body.font.getlength("8888.88") - 2 * self.gutter
        aligned = rng.random() < 0.4  # labels right-aligned in a block before the amounts (SROIE's 000)
        currency = self.words is LATIN and rng.random() < 0.3
        for label, value, st in rows:
            text = str(rng.randint(3, 30)) if value is None else self.money(value)
            if aligned and not currency:
                self.rows.append(Row(st, [Piece(label, "r", label_right), Piece(text, "r", self.right)]))
            elif currency and value is not None:
                self.columns([label, "RM", text], [label_right, self.right], st)
            else:
                self.pair(label, text, st)


# ---------------------------------------------------------------- rendering


@dataclass
class Receipt:
    """One page: its pixels (RGB), its truth segments (four points clockwise from the text's
    top-left, text), and what was chosen, as ``pages.json`` records it."""

    pixels: np.ndarray
    segments: list[tuple[np.ndarray, str]]
    meta: dict[str, Any]
    separators: list[np.ndarray] = field(default_factory=list)  # the dashed rules' quads, moved as the text was

    def csv(self) -> str:
        lines = []
        for quad, text in self.segments:
            lines.append(",".join(str(int(round(v))) for v in quad.ravel()) + f",{text}")
        return "\n".join(lines) + "\n"

    def png(self) -> bytes:
        ok, data = cv2.imencode(".png", cv2.cvtColor(self.pixels, cv2.COLOR_RGB2BGR))
        assert ok
        return data.tobytes()


def ink(st: Style, text: str) -> tuple[np.ndarray, int, int]:
    """The glyphs of ``text`` as coverage 0-255, cut to their ink, and the offset of that cut from the pen (left, baseline)."""
    left, top, right, bottom = st.font.getbbox(text, anchor="ls")
    pad = 4
    canvas = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(canvas).text((pad - left, pad - top), text, font=st.font, fill=255, anchor="ls")
    box = canvas.getbbox()
    if box is None:
        return np.zeros((0, 0), np.uint8), 0, 0
    cut = np.asarray(canvas.crop(box))
    return cut, box[0] - pad + left, box[1] - pad + top


def layout(rows: list[Row], pitch: float, body: Style, top: int) -> tuple[list[float], int]:
    """The baseline of every row (a separator's or blank row's: its centre line), and the page height.

    Each row is a glyph cell of its style's height (a separator or blank row: the body's), and
    between two cells lies ``(pitch - 1)`` times their mean height, so two rows of one style have
    their baselines ``pitch`` glyph heights apart."""
    baselines: list[float] = []
    cursor, previous = float(top), 0
    for row in rows:
        st = row.style or body
        if previous:
            cursor += (pitch - 1) * (previous + st.height) / 2
        baselines.append(cursor + (st.ascent if row.style is not None and row.pieces else st.height / 2))
        cursor += st.height
        previous = st.height
    return baselines, int(math.ceil(cursor + top))


def render(rows: list[Row], width: int, pitch: float, body: Style, rng: random.Random) -> tuple[np.ndarray, list, list, list]:
    """The upright receipt (grey levels, white paper), its segments' ink boxes with their text, the
    separators' boxes, and per text row (baseline, style, whether the row before it was text)."""
    top = rng.randint(12, 30)
    baselines, height = layout(rows, pitch, body, top)
    page = np.full((height, width), 255, np.uint8)
    level = rng.randint(10, 60)  # thermal ink: dark grey to black
    segments: list[tuple[tuple[int, int, int, int], str]] = []
    separators: list[tuple[int, int, int, int]] = []
    text_rows: list[tuple[float, Style, bool]] = []
    previous_text = False
    for row, baseline in zip(rows, baselines):
        if row.separator:
            y = int(round(baseline))
            dash, gap = rng.choice([(6, 3), (4, 4), (8, 4), (3, 2)])
            thick = rng.choice([1, 1, 2])
            start = x = 6 + rng.randint(0, 4)
            while x + dash <= width - 6:
                page[y : y + thick, x : x + dash] = level
                x += dash + gap
            separators.append((start, y, x - gap, y + thick))
        if row.style is None or not row.pieces:
            previous_text = False
            continue
        st = row.style
        text_rows.append((baseline, st, previous_text))
        previous_text = True
        for piece in row.pieces:
            if not piece.text:
                continue
            advance = st.font.getlength(piece.text)
            pen = {"l": piece.x, "r": piece.x - advance, "c": (width - advance) / 2}[piece.align]
            coverage, dx, dy = ink(st, piece.text)
            x0, y0 = int(round(pen)) + dx, int(round(baseline)) + dy
            h, w = coverage.shape
            if h == 0 or x0 < 0 or x0 + w > width or y0 < 0 or y0 + h > height:
                raise AssertionError(f"{piece.text!r} falls off the page")
            shade = (255 - (coverage.astype(np.int32) * (255 - level)) // 255).astype(np.uint8)
            page[y0 : y0 + h, x0 : x0 + w] = np.minimum(page[y0 : y0 + h, x0 : x0 + w], shade)
            segments.append(((x0, y0, x0 + w, y0 + h), piece.text))
    return page, segments, separators, text_rows


def box_points(box: tuple[float, float, float, float], grow: float) -> np.ndarray:
    """A pixel box (left, top, right, bottom exclusive) grown by ``grow`` as four corners, clockwise from the top-left."""
    x0, y0, x1, y1 = box[0] - grow, box[1] - grow, box[2] + grow, box[3] + grow
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)


def moved(points: np.ndarray, homography: np.ndarray) -> np.ndarray:
    """Points in continuous pixel coordinates (a pixel's centre at +0.5) through a homography that
    maps pixel centres, as ``cv2.warpPerspective`` does."""
    return cv2.perspectiveTransform((points - 0.5)[None], homography)[0] + 0.5


def fitted(homography: np.ndarray, w: int, h: int, margin: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The homography moved so that the whole page lands ``margin`` pixels inside a canvas that holds it, and that canvas's size."""
    corners = moved(np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64), homography)
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    shift = np.array([[1, 0, margin - x0], [0, 1, margin - y0], [0, 0, 1]], np.float64)
    return shift @ homography, (int(math.ceil(x1 - x0)) + 2 * margin, int(math.ceil(y1 - y0)) + 2 * margin)


def turned(angle: float, w: int, h: int) -> np.ndarray:
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return np.vstack([matrix, [0, 0, 1]])


def warp(rng: random.Random, w: int, h: int) -> tuple[np.ndarray, dict[str, Any]]:
    """A phone held off square: one edge shorter (further away), corners moved a little, turned a little."""
    side = rng.choice(["top", "bottom", "left", "right"])
    shrink = rng.uniform(0.03, 0.10)
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    target = source.copy()
    if side in ("top", "bottom"):
        k = 0 if side == "top" else 2
        target[k : k + 2, 0] += np.array([1, -1] if side == "top" else [-1, 1], np.float32) * shrink * w / 2
    else:
        ends = [1, 2] if side == "right" else [3, 0]
        target[ends, 1] += np.array([1, -1] if side == "right" else [-1, 1], np.float32) * shrink * h / 2
    jitter = 0.015 * min(w, h)
    target += np.array([[rng.uniform(-jitter, jitter), rng.uniform(-jitter, jitter)] for _ in range(4)], np.float32)
    angle = rng.uniform(-2.0, 2.0)
    homography = turned(angle, w, h) @ cv2.getPerspectiveTransform(source, target).astype(np.float64)
    return homography, {"far_edge": side, "shrink": round(shrink, 4), "angle": round(angle, 3)}


def photographed(pixels: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict[str, Any]]:
    """Uneven light, a slight blur, sensor noise and a JPEG round trip at quality 80, in colour."""
    noise_rng = np.random.default_rng(rng.getrandbits(64))
    h, w = pixels.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    falloff = rng.uniform(0.15, 0.35)
    light = 1.05 - falloff * ((xs - cx) ** 2 + (ys - cy) ** 2) / float(w * w + h * h)
    light *= 1.0 + rng.uniform(-0.08, 0.08) * (xs / w - 0.5) + rng.uniform(-0.08, 0.08) * (ys / h - 0.5)
    sigma = rng.uniform(0.6, 1.0)
    out = cv2.GaussianBlur(pixels.astype(np.float32), (0, 0), sigma) * light
    tint = np.array([1.0, rng.uniform(0.96, 1.0), rng.uniform(0.90, 0.97)], np.float32)  # RGB: warm light
    out = out[:, :, None] * tint[None, None, :]
    out += noise_rng.normal(0.0, rng.uniform(2.5, 5.0), out.shape).astype(np.float32)
    rgb = np.clip(out, 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80])
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    assert ok and bgr is not None
    decoded = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return decoded, {"blur": round(sigma, 3), "light_falloff": round(falloff, 3)}


def make_receipt(seed: int, index: int, pitch: tuple[float, float] = (1.0, 1.3), variant: str = "none",
                 korean: bool = False) -> Receipt:  # fmt: skip
    """Receipt ``index`` of the set made from ``seed``: the same arguments give the same pixels and truth."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    rng = random.Random(f"receipt/{seed}/{index}/{'ko' if korean else 'la'}")
    words = HANGUL if korean else LATIN
    probe = charset(words)
    regular, bold = rng.choice(families(korean))
    glyph = rng.uniform(14, 22)
    body = style(regular, glyph, probe, within=(14, 22))
    strong = style(bold, glyph * rng.uniform(1.0, 1.15), probe)
    big = style(bold, glyph * rng.uniform(1.25, 1.7), probe)
    width = rng.randint(380, 600)
    line_pitch = rng.uniform(*pitch)
    rows = Composer(rng, words, body, strong, big, width).compose()
    page, boxes, rules, text_rows = render(rows, width, line_pitch, body, rng)
    h, w = page.shape
    meta: dict[str, Any] = {"index": index, "font": body.name, "bold": big.name, "glyph_height": body.height,
                            "pitch": round(line_pitch, 4), "width": w, "height": h, "variant": variant,
                            "rows": [{"baseline": round(b, 2), "ascent": st.ascent, "descent": st.descent, "after_text": after,
                                      "font": st.name} for b, st, after in text_rows]}  # fmt: skip
    homography = np.eye(3)
    if variant == "none":
        pixels = np.repeat(page[:, :, None], 3, axis=2)
    else:
        if variant == "rotate":
            angle = rng.uniform(-4.0, 4.0)
            homography, size = fitted(turned(angle, w, h), w, h, 0)
            meta["angle"] = round(angle, 3)
        else:
            warped, details = warp(rng, w, h)
            homography, size = fitted(warped, w, h, rng.randint(0, 8) if variant == "warp" else rng.randint(20, 60))
            meta.update(details)
        if variant == "photo":
            paper = rng.uniform(232, 250)
            background = rng.uniform(90, 160)
            grey = cv2.warpPerspective((page.astype(np.float32) * (paper / 255.0)), homography, size,
                                       flags=cv2.INTER_LINEAR, borderValue=background)  # fmt: skip
            pixels, details = photographed(grey, rng)
            meta.update(details, paper=round(paper, 1), background=round(background, 1))
        else:
            pixels = np.repeat(
                cv2.warpPerspective(page, homography, size, flags=cv2.INTER_LINEAR, borderValue=255)[:, :, None], 3, axis=2
            )
    segments = [(moved(box_points(box, 1.0), homography), text) for box, text in boxes]
    separators = [moved(box_points(box, 0.0), homography) for box in rules]
    return Receipt(np.ascontiguousarray(pixels), segments, meta, separators)


def write_set(out: Path, count: int, seed: int, pitch: tuple[float, float], variant: str, korean: bool) -> list[dict[str, Any]]:
    """``count`` receipts under ``out`` (images/, box/, pages.json); their records."""
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "box").mkdir(parents=True, exist_ok=True)
    records = []
    for index in range(count):
        receipt = make_receipt(seed, index, pitch, variant, korean)
        (out / "images" / f"{index:03d}.png").write_bytes(receipt.png())
        (out / "box" / f"{index:03d}.csv").write_text(receipt.csv(), encoding="utf-8")
        records.append(receipt.meta)
    settings = {"seed": seed, "pitch": list(pitch), "variant": variant, "korean": korean}
    (out / "pages.json").write_text(json.dumps({"settings": settings, "pages": records}, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")  # fmt: skip
    return records


def pitch_range(text: str) -> tuple[float, float]:
    """``1.0-1.3`` (or one number ``1.1``) as (low, high)."""
    low, _, high = text.partition("-")
    try:
        values = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"pitch {text!r}: expected LOW-HIGH, e.g. 1.0-1.3") from None
    if not 0.5 <= values[0] <= values[1] <= 3.0:
        raise argparse.ArgumentTypeError(f"pitch {text!r}: expected 0.5 <= LOW <= HIGH <= 3.0")
    return values


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write images/, box/ and pages.json into")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pitch", type=pitch_range, default=(1.0, 1.3), help="baseline pitch over glyph height, LOW-HIGH")
    parser.add_argument("--variant", choices=VARIANTS, default="none")
    parser.add_argument("--korean", action="store_true", help="Hangul text (needs a font that draws it)")
    args = parser.parse_args(argv)
    records = write_set(args.out, args.count, args.seed, args.pitch, args.variant, args.korean)
    rows = sum(len(r["rows"]) for r in records)
    print(f"{len(records)} receipts ({args.variant}, pitch {args.pitch[0]}-{args.pitch[1]}, seed {args.seed}), "
          f"{rows} text rows, under {args.out}", file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
