"""Regenerate ``sample-receipt.png``, the image the README's quick start recognises.

The text is rendered with Pillow's bundled font, so the sample carries no third-party
image rights. Run: python examples/make_sample.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# (cells at x positions; a cell is (x, text, anchor)), font size
ROWS = [
    ([(40, "UNIFIED MART", "la")], 40),
    ([(40, "12 Harbour Road, Busan", "la")], 26),
    ([(40, "2026-11-21 14:32", "la")], 26),
    ([], 14),
    ([(40, "Green tea", "la"), (330, "2", "ra"), (500, "3,000", "ra")], 26),
    ([(40, "Rice crackers", "la"), (330, "1", "ra"), (500, "2,500", "ra")], 26),
    ([(40, "Kimchi 500g", "la"), (330, "1", "ra"), (500, "6,900", "ra")], 26),
    ([], 14),
    ([(40, "TOTAL", "la"), (500, "12,400", "ra")], 32),
    ([(40, "Thank you for shopping", "la")], 26),
]


def main() -> None:
    image = Image.new("RGB", (540, 470), "white")
    draw = ImageDraw.Draw(image)
    y = 30
    for cells, size in ROWS:
        font = ImageFont.load_default(size=size)
        for x, text, anchor in cells:
            draw.text((x, y), text, fill="black", font=font, anchor=anchor)
        y += int(size * 1.5)
    out = Path(__file__).with_name("sample-receipt.png")
    image.save(out, optimize=True)
    print(out)


if __name__ == "__main__":
    main()
