"""Korean read as Chinese characters by an engine that reads no Hangul gets one warning naming
``--lang ko``; Chinese and Japanese never do."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from PIL import Image, ImageDraw

import unified_ocr
from unified_ocr.drawing.fonts import find_font_for, find_hangul_font, glyphless, open_font
from unified_ocr.engines import scripts
from unified_ocr.engines.scope import EngineScope, shared_scope
from unified_ocr.engines.scripts import ScriptWarning, misread_hangul

from ..conftest import run_cli

# What the offline default engine read (line texts, word texts and confidences), recorded from
# pages of the measurement: Hangul it misread, and Chinese and Japanese it read.
KOREAN_RECEIPT = [("H京：123-45-67890", [("H", 0.22), ("京", 0.27), ("：", 0.93), ("123-45-67890", 1.0)]),
                  ("2024-03-15 14:22", [("2024-03-15", 1.0), ("14:22", 1.0)]),
                  ("三 合出京30012345", [("三", 0.85), ("合", 0.52), ("出", 0.93), ("京", 0.31), ("30012345", 0.43)])]  # fmt: skip
KOREAN_PHOTO = [("7   号啡", [("7", 0.87), ("号", 0.6), ("啡", 0.63)]), ("10109", [("10109", 0.99)])]
KOREAN_WITH_KANA = [("わh居昆用", [("わ", 0.98), ("h", 0.96), ("居", 0.97), ("昆", 0.35), ("用", 0.5)])]
CHINESE_BLURRED = [("抵押登记", [("抵", 1.0), ("押", 1.0), ("登", 1.0), ("记", 1.0)]),
                   ("身价证籍名布：号码：统一社会信用代利", [(c, 0.3) for c in "身价证籍名布：号码：统一社会信用代利"]),
                   ("19.解蒙报日周", [("19.", 0.5), ("解", 0.79), ("蒙", 0.21), ("报", 0.43), ("日", 0.93), ("周", 0.51)])]  # fmt: skip
CHINESE_SHORT = [("嫖娼", [("嫖", 1.0), ("娼", 0.99)])]
JAPANESE = [("コンビニ新宿店", [("コンビニ新宿店", 0.99)]), ("日時:2025-08-0217:23", [("日時:2025-08-0217:23", 0.97)]),
            ("電池x2 2,320", [("電池x2", 0.74), ("2,320", 1.0)])]  # fmt: skip
ENGLISH_WITH_CHINESE = [("GOODS SOLD ARE NOT RETURNABLE", [(w, 1.0) for w in "GOODS SOLD ARE NOT RETURNABLE".split()]),
                        ("EXCHANGEABLE THANK YOU PLEASE COME AGAIN", [(w, 1.0) for w in "EXCHANGEABLE THANK YOU".split()]),
                        ("引物出门", [("引", 0.24), ("物", 0.85), ("出", 1.0), ("门", 0.48)])]  # fmt: skip


def test_the_signal_tells_hangul_read_as_han_from_chinese_and_japanese() -> None:
    for korean in (KOREAN_RECEIPT, KOREAN_PHOTO, KOREAN_WITH_KANA):
        assert misread_hangul(korean), korean
    for other in (CHINESE_BLURRED, CHINESE_SHORT, JAPANESE, ENGLISH_WITH_CHINESE, []):
        assert not misread_hangul(other), other
    assert not misread_hangul([(t, [(w, None) for w, _ in words]) for t, words in KOREAN_RECEIPT])  # no confidences: no judging


# -- read by the offline engine itself ------------------------------------------------------------

PAGES = {
    "korean": [("행복마트 강남점", "사업자번호: 123-45-67890", "아메리카노 x2 9,000", "합계 10,200"), ("공지사항", "고객센터 운영 시간이", "변경됩니다.")],
    "chinese": [("誠品書店 信義店", "統一編號: 60701711", "美式 x2 120", "合計 240", "謝謝光臨")],
    "japanese": [("コンビニ 新宿店", "おにぎり x2 240", "お茶 x1 150", "ありがとうございました")],
}


def page(lines: tuple[str, ...], size: int = 28) -> np.ndarray:
    """A small page of ``lines`` drawn with an installed font that has them (skipped where none has)."""
    chars = "".join(lines).replace(" ", "")
    font = find_hangul_font() if any("가" <= c <= "힣" for c in chars) else find_font_for(chars)
    if font is None or glyphless(font, chars):
        pytest.skip(f"no installed font draws {lines[0]!r}")
    image = Image.new("L", (420, 30 + 48 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for k, line in enumerate(lines):
        draw.text((16, 15 + 48 * k), line, font=open_font(font, size), fill=0)
    return np.asarray(image.convert("RGB"))[:, :, ::-1].copy()


@pytest.fixture(scope="module")
def scope() -> EngineScope:
    return shared_scope()  # the process's scope: the model other tests loaded, not a load of its own


def _read(pages: list[tuple[str, ...]], scope: EngineScope, monkeypatch: pytest.MonkeyPatch) -> tuple[list[unified_ocr.OcrResult], list[str]]:
    monkeypatch.setattr(scripts, "_said", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [unified_ocr.recognize(page(lines), engine="rapidocr", cache=False, scope=scope) for lines in pages]
    return results, [str(w.message) for w in caught if issubclass(w.category, ScriptWarning)]


@pytest.mark.slow
def test_korean_pages_read_by_the_default_engine_warn_once_naming_lang_ko(scope, monkeypatch) -> None:
    results, said = _read(PAGES["korean"], scope, monkeypatch)
    assert len(said) == 1 and "--lang ko" in said[0], said
    assert all(said[0] in r.meta.get("warnings", []) for r in results)  # each page flagged in its meta, said once


@pytest.mark.slow
def test_chinese_and_japanese_pages_never_warn(scope, monkeypatch) -> None:
    results, said = _read(PAGES["chinese"] + PAGES["japanese"], scope, monkeypatch)
    assert said == [] and all("warnings" not in r.meta for r in results), said
    assert "合計" in results[0].text and "おにぎり" in results[1].text.replace(" ", "")  # read, and read well


@pytest.mark.slow
def test_saying_the_language_silences_it(scope, monkeypatch) -> None:
    monkeypatch.setattr(scripts, "_said", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        unified_ocr.recognize(page(PAGES["korean"][0]), engine="rapidocr", cache=False, scope=scope,
                              config=unified_ocr.Config.from_dict({"lang": "zh"}))  # fmt: skip
    assert not [w for w in caught if "--lang ko" in str(w.message)]


@pytest.mark.slow
def test_a_batch_of_korean_images_warns_once_on_the_command_line(tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for k, lines in enumerate(PAGES["korean"]):
        Image.fromarray(page(lines)[:, :, ::-1]).save(folder / f"{k}.png")
    proc = run_cli("batch", str(folder), "--engine", "rapidocr", "--out", str(tmp_path / "out"), "--no-cache")
    assert proc.returncode == 0, proc.stderr
    said = [line for line in proc.stderr.splitlines() if "--lang ko" in line]
    assert len(said) == 1 and said[0].startswith("warning: engine 'rapidocr' read Chinese characters"), proc.stderr
    flagged = [json.loads(p.read_text(encoding="utf-8"))["meta"].get("warnings") for p in (tmp_path / "out" / "results").glob("*.json")]
    assert len(flagged) == 2 and all(flagged), flagged  # both images flagged, the run said it once
