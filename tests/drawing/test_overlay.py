"""Overlays drawn for real: turned quads as polygons, reading-order numbers, scaling, fonts
with Hangul found or said missing, and ``unified-ocr draw`` end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import unified_ocr
from unified_ocr import Line, OcrResult, Page, Quad, Word
from unified_ocr.drawing import draw_overlay, find_hangul_font, has_hangul
from unified_ocr.drawing.overlay import COLOURS

from ..conftest import ROOT, SAMPLE, cli_here, run_cli

EVAL = ROOT.parent / "shared" / "eval"


def turned(cx: float, cy: float, w: float, h: float, degrees: float) -> Quad:
    t = math.radians(degrees)
    ux, uy, vx, vy = math.cos(t), -math.sin(t), math.sin(t), math.cos(t)
    return Quad([(cx + a * ux + b * vx, cy + a * uy + b * vy) for a, b in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2))])


def page_of(*quads: Quad, size: tuple[int, int] = (400, 300)) -> Page:
    words = [Word(f"w{k}", q, 0.9) for k, q in enumerate(quads)]
    return Page(0, size[0], size[1], tuple(Line(w.text, w.quad, (w,)) for w in words))


def tinted(rgb: np.ndarray, x: float, y: float) -> bool:
    """Whether the pixel near (x, y) is no longer the white it was."""
    r, g, b = rgb[int(round(y)), int(round(x))].astype(int)
    return (r, g, b) != (255, 255, 255)


def test_a_turned_quad_is_drawn_as_its_polygon_not_its_box() -> None:
    white = np.full((300, 400, 3), 255, np.uint8)
    quad = turned(200, 150, 200, 40, 30)
    rgb = np.asarray(draw_overlay(white, page_of(quad), level="word"))
    (x0, y0), (x1, y1) = quad.points[0], quad.points[1]
    for k in range(5, 96, 10):  # along the turned top edge: the outline
        assert tinted(rgb, x0 + (x1 - x0) * k / 100, y0 + (y1 - y0) * k / 100)
    bx0, by0, bx1, by1 = quad.bbox()
    assert not tinted(rgb, bx1 - 4, by1 - 4)  # inside the bounding box, outside the quad: untouched
    cx, cy = quad.center
    assert tinted(rgb, cx, cy)  # the quad's own area: filled
    number = rgb[int(y0), int(x0)]  # the reading-order tag sits on the first corner, in the level's colour
    assert abs(int(number[2]) - COLOURS["word"][2]) < 40 and int(number[0]) < 60


def test_large_images_are_drawn_smaller_with_their_quads_scaled() -> None:
    white = np.full((1500, 3000, 3), 255, np.uint8)
    quad = Quad.from_bbox(1000, 600, 2000, 900)
    image = draw_overlay(white, page_of(quad, size=(3000, 1500)), level="word", max_side=600)
    assert image.size == (600, 300)
    rgb = np.asarray(image)
    assert tinted(rgb, 300, 150) and tinted(rgb, 300, 120.5) and not tinted(rgb, 300, 100)  # 600..900 -> 120..180, scaled by 0.2


def test_a_font_with_hangul_is_found_and_one_without_is_told_apart(tmp_path) -> None:
    found = find_hangul_font()
    if found is None:
        pytest.skip("no font with Hangul here: apt-get install fonts-nanum")
    assert has_hangul(found)
    assert find_hangul_font(folders=[tmp_path], use_fc_match=False) is None
    not_a_font = tmp_path / "NanumGothic.ttf"
    not_a_font.write_bytes(b"not a font")
    assert find_hangul_font(folders=[tmp_path], use_fc_match=False) is None and not has_hangul(not_a_font)
    latin = next((p for p in Path("/usr/share/fonts").rglob("DejaVuSans.ttf")), None)
    if latin is not None:
        assert not has_hangul(latin)
    white = np.full((120, 400, 3), 255, np.uint8)
    hangul = Page(0, 400, 120, (Line("합계", Quad.from_bbox(150, 60, 250, 100), (Word("합계", Quad.from_bbox(150, 60, 250, 100)),)),))
    with_text = np.asarray(draw_overlay(white, hangul, level="line", font=found))
    without = np.asarray(draw_overlay(white, hangul, level="line"))
    def dark(rgb: np.ndarray) -> bool:  # black text, above the box and clear of the number's tag
        return bool((rgb[25:58, 175:260].mean(axis=2) < 80).any())

    assert dark(with_text) and not dark(without)


def write(tmp_path: Path, name: str, pixels: np.ndarray) -> Path:
    path = tmp_path / name
    Image.fromarray(pixels).save(path)
    return path


@pytest.mark.slow
def test_draw_writes_pngs_of_a_turned_and_a_korean_image_and_goes_on_past_a_bad_one(tmp_path) -> None:
    rotated = Image.open(SAMPLE).convert("RGB").rotate(30, expand=True, fillcolor=(255, 255, 255))
    rotated.save(tmp_path / "turned.png")
    korean = EVAL / "synth-korean" / "images" / "synth_ko_03.png"
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    inputs = [str(tmp_path / "turned.png"), str(bad)] + ([str(korean)] if korean.is_file() else [])
    proc = run_cli("draw", *inputs, "--engine", "rapidocr", "--out", str(tmp_path / "out"))
    assert proc.returncode == 1 and f"error: {bad}" in proc.stderr
    drawn = Image.open(tmp_path / "out" / "turned.png")
    assert drawn.size == rotated.size
    before, after = np.asarray(rotated).astype(int), np.asarray(drawn).astype(int)
    assert (np.abs(before - after).sum(axis=2) > 60).mean() > 0.02  # quads and numbers drawn over it
    if korean.is_file():
        assert Image.open(tmp_path / "out" / "synth_ko_03.png").size == Image.open(korean).size


def test_draw_from_saved_results_with_no_font_says_so_once(tmp_path) -> None:
    white = np.full((200, 300, 3), 255, np.uint8)
    images = [write(tmp_path, f"img{k}.png", white) for k in range(2)]
    saved = []
    for k, image in enumerate(images):
        quad = turned(150, 100, 120, 30, 90 * k)
        result = OcrResult("test", (page_of(quad, size=(300, 200)),), meta={"source": str(image)})
        path = tmp_path / f"r{k}.json"
        path.write_text(json.dumps(result.to_dict()), encoding="utf-8")
        saved.append(path)
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    proc = run_cli("draw", "--result", str(saved[0]), "--result", str(saved[1]), "--out", str(tmp_path / "out"),
                   env={"UNIFIED_OCR_FONT_DIRS": str(empty)})  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("no font with Hangul found") == 1 and "fonts-nanum" in proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["img0.png", "img1.png"]
    proc = run_cli("draw", str(images[0]), "--result", str(saved[0]), "--level", "table", "--out", str(tmp_path / "out2"))
    assert proc.returncode == 0 and "nothing at level table" in proc.stderr and (tmp_path / "out2" / "img0.png").is_file()


def test_usage_errors_stop_before_any_image(tmp_path) -> None:
    image = write(tmp_path, "a.png", np.full((50, 50, 3), 255, np.uint8))
    cases = {
        ("--font", str(tmp_path / "missing.ttf")): "not a font file",
        ("--result", "x.json", "--result", "y.json"): "2 --result for 1 image",
        ("--engine", "rapidocr", "--result", "x.json"): "not both",
        ("--engine", "nope"): "unknown engine 'nope'",
    }
    for args, message in cases.items():
        proc = cli_here("draw", str(image), *args, "--out", str(tmp_path / "out"))
        assert proc.returncode == 2 and message in proc.stderr, (args, proc.stderr)
        assert not (tmp_path / "out").exists()


def test_the_library_call_needs_no_command() -> None:
    result = OcrResult("test", (page_of(Quad.from_bbox(10, 10, 60, 30), size=(100, 50)),))
    image = unified_ocr.drawing.draw_overlay(np.zeros((50, 100), np.uint8), result.pages[0], level="line")
    assert image.mode == "RGB" and image.size == (100, 50)


def test_characters_the_hangul_font_lacks_are_written_in_a_font_that_has_them(tmp_path) -> None:
    """Hebrew and Arabic (no Korean font has them) beside Hangul: written in a wide font found
    in the font folders; with none there, boxes, said once with the characters."""
    from unified_ocr.drawing.fonts import find_font_for, glyphless

    korean = find_hangul_font()
    wide = next((p for p in Path("/usr/share/fonts").rglob("DejaVuSans.ttf")), None)
    if korean is None or wide is None:
        pytest.skip("needs a Hangul font and DejaVu Sans: apt-get install fonts-nanum fonts-dejavu-core")
    text = "합계 אבג عربي"
    lacking = glyphless(korean, text)
    if not lacking or glyphless(wide, lacking):
        pytest.skip(f"{korean.name} has these glyphs, or DejaVu Sans lacks them: nothing to fall back for")
    both, only_korean = tmp_path / "both", tmp_path / "korean"
    for folder, fonts in ((both, (korean, wide)), (only_korean, (korean,))):
        folder.mkdir()
        for font in fonts:
            (folder / font.name).write_bytes(font.read_bytes())
    assert find_font_for(lacking, folders=[both], use_fc_match=False) == both / wide.name
    assert find_font_for(lacking, folders=[only_korean], use_fc_match=False) is None

    white = np.full((120, 400, 3), 255, np.uint8)
    line = Line(text, Quad.from_bbox(100, 60, 300, 100), (Word(text, Quad.from_bbox(100, 60, 300, 100)),))
    boxes = np.asarray(draw_overlay(white, Page(0, 400, 120, (line,)), level="line", font=korean))
    letters = np.asarray(draw_overlay(white, Page(0, 400, 120, (line,)), level="line", font=korean, fallback=wide))
    assert (boxes != letters).any()  # the label is drawn in the other font

    image = write(tmp_path, "mixed.png", white)
    saved = tmp_path / "mixed.json"
    saved.write_text(json.dumps(OcrResult("test", (Page(0, 400, 120, (line,)),), meta={"source": str(image)}).to_dict()), encoding="utf-8")
    proc = run_cli("draw", "--result", str(saved), "--result", str(saved), str(image), str(image), "--out", str(tmp_path / "a"),
                   env={"UNIFIED_OCR_FONT_DIRS": str(both)})  # fmt: skip
    assert proc.returncode == 0 and "has a glyph for" not in proc.stderr, proc.stderr
    proc = run_cli("draw", "--result", str(saved), "--result", str(saved), str(image), str(image), "--out", str(tmp_path / "b"),
                   env={"UNIFIED_OCR_FONT_DIRS": str(only_korean)})  # fmt: skip
    assert proc.returncode == 0 and proc.stderr.count("has a glyph for") == 1 and "א" in proc.stderr, proc.stderr
