"""Regenerate ``receipts/``, the three small images the README's jobs run on, and their truth.

Each image is rendered with Pillow's bundled font, as ``sample-receipt.png`` is, so the images
carry no third-party rights, and the truth is exact: each line's box is where Pillow drew it.
The truth is in ICDAR form (``x1,y1,...,x4,y4,text`` per line, clockwise from the top-left),
one ``receipts-truth/NAME.txt`` per image. Run: python examples/make_receipts.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).parent

# name: (width, rows); a row is (font size, cells), a cell is (x, text, anchor)
IMAGES: dict[str, tuple[int, list[tuple[int, list[tuple[int, str, str]]]]]] = {
    "cafe": (
        420,
        [
            (34, [(30, "HARBOUR CAFE", "la")]),
            (22, [(30, "Table 7", "la"), (390, "09:15", "ra")]),
            (24, [(30, "Latte", "la"), (250, "2", "ra"), (390, "9,000", "ra")]),
            (24, [(30, "Scone", "la"), (250, "1", "ra"), (390, "3,500", "ra")]),
            (28, [(30, "TOTAL", "la"), (390, "12,500", "ra")]),
        ],
    ),
    "books": (
        440,
        [
            (32, [(30, "PIER BOOKS", "la")]),
            (22, [(30, "8 Pier Street", "la")]),
            (24, [(30, "Atlas of Tides", "la"), (410, "18,000", "ra")]),
            (24, [(30, "Notebook", "la"), (410, "4,200", "ra")]),
            (28, [(30, "TOTAL", "la"), (410, "22,200", "ra")]),
            (22, [(30, "Paid by card", "la")]),
        ],
    ),
    "delivery": (
        460,
        [
            (30, [(30, "Delivery note 4471", "la")]),
            (22, [(30, "Ship to: North Dock, Gate 3", "la")]),
            (22, [(30, "Boxes: 12", "la")]),
            (22, [(30, "Received in good order", "la")]),
        ],
    ),
}
MARGIN = 4  # truth boxes reach this far past the drawn text


def render(width: int, rows: list[tuple[int, list[tuple[int, str, str]]]]) -> tuple[Image.Image, list[str]]:
    height = 40 + sum(int(size * 1.6) for size, _ in rows)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    truth: list[str] = []
    y = 24
    for size, cells in rows:
        font = ImageFont.load_default(size=size)
        boxes = []
        for x, text, anchor in cells:
            draw.text((x, y), text, fill="black", font=font, anchor=anchor)
            boxes.append(draw.textbbox((x, y), text, font=font, anchor=anchor))
        left, top = min(b[0] for b in boxes) - MARGIN, min(b[1] for b in boxes) - MARGIN
        right, bottom = max(b[2] for b in boxes) + MARGIN, max(b[3] for b in boxes) + MARGIN
        text = " ".join(text for _, text, _ in cells)
        truth.append(f"{left},{top},{right},{top},{right},{bottom},{left},{bottom},{text}")
        y += int(size * 1.6)
    return image, truth


def main() -> None:
    for name, (width, rows) in IMAGES.items():
        image, truth = render(width, rows)
        image.save(HERE / "receipts" / f"{name}.png", optimize=True)
        (HERE / "receipts-truth" / f"{name}.txt").write_text("\n".join(truth) + "\n", encoding="utf-8")
        print(HERE / "receipts" / f"{name}.png")


if __name__ == "__main__":
    main()
