"""Numbers in hOCR, ALTO and PAGE-XML documents from elsewhere: every one must be finite and in
range, or the document is refused with a MalformedDocumentError naming the file and line; never
another exception, never a NaN that reaches a result (issue 20, defects 4 and 12)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unified_ocr.errors import MalformedDocumentError
from unified_ocr.exports.alto import read_alto
from unified_ocr.exports.hocr import read_hocr
from unified_ocr.exports.pagexml import read_page_xml

from ..conftest import run_cli

#: Documents with a ``{slot}`` in every numeric attribute; ``DEFAULTS`` fills them with good values.
HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="{ns}"><head><title>x</title></head><body>
<div class="ocr_page" title="bbox {page_x0} {page_y0} {page_w} {page_h}; ppageno {ppageno}">
<div class="ocr_carea" title="bbox {area}"><p class="ocr_par">
<span class="ocr_line" title="bbox {line}; textangle {textangle}; x_wconf {line_conf}">
<span class="ocrx_word" title="bbox {word}; x_wconf {word_conf}">Hello</span>
<span class="ocrx_word" title="poly {poly}">world</span></span>
</p></div></div></body></html>"""
HOCR_DEFAULTS = {"ns": "http://www.w3.org/1999/xhtml", "page_x0": "0", "page_y0": "0", "page_w": "800", "page_h": "600",
                 "ppageno": "0", "area": "10 10 200 30", "line": "10 10 200 30", "textangle": "0", "line_conf": "90",
                 "word": "10 10 100 30", "word_conf": "95", "poly": "110 10 200 10 200 30 110 30"}  # fmt: skip

ALTO = """<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="{ns}"><Description><MeasurementUnit>pixel</MeasurementUnit></Description>
<Layout><Page ID="p1" WIDTH="{page_w}" HEIGHT="{page_h}" PHYSICAL_IMG_NR="{img_nr}"><PrintSpace>
<TextBlock ID="b1" HPOS="{b_x}" VPOS="{b_y}" WIDTH="{b_w}" HEIGHT="{b_h}" ROTATION="{rotation}">
<TextLine ID="l1" HPOS="{l_x}" VPOS="{l_y}" WIDTH="{l_w}" HEIGHT="{l_h}">
<String ID="w1" CONTENT="Hi" HPOS="{s_x}" VPOS="{s_y}" WIDTH="{s_w}" HEIGHT="{s_h}" WC="{wc}"/><SP/>
<String ID="w2" CONTENT="there" HPOS="60" VPOS="0" WIDTH="40" HEIGHT="20"><Shape><Polygon POINTS="{polygon}"/></Shape></String>
</TextLine></TextBlock></PrintSpace></Page></Layout></alto>"""
ALTO_DEFAULTS = {"ns": "http://www.loc.gov/standards/alto/ns-v4#", "page_w": "800", "page_h": "600", "img_nr": "1", "b_x": "0",
                 "b_y": "0", "b_w": "100", "b_h": "100", "rotation": "0", "l_x": "0", "l_y": "0", "l_w": "100", "l_h": "20",
                 "s_x": "0", "s_y": "0", "s_w": "50", "s_h": "20", "wc": "0.9", "polygon": "60,0 100,0 100,20 60,20"}  # fmt: skip

PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<PcGts xmlns="{ns}"><Page imageFilename="x.png" imageWidth="{page_w}" imageHeight="{page_h}">
<Labels externalModel="unified-ocr field" externalId="total"><Label type="text" value="12"/>
<Label type="confidence" value="{field_conf}"/></Labels>
<TextRegion id="r0"><Coords points="{region}"/>
<TextLine id="l0"><Coords points="{line}"/><Word id="w0"><Coords points="{word}"/><TextEquiv conf="{word_conf}"><Unicode>Hi</Unicode></TextEquiv></Word>
<TextEquiv conf="{line_conf}"><Unicode>Hi</Unicode></TextEquiv></TextLine></TextRegion>
<TableRegion id="t0"><Coords points="0,50 100,50 100,80 0,80"/><TextRegion id="t0c0"><Coords points="0,50 50,50 50,80 0,80"/>
<Roles><TableCellRole rowIndex="{row}" columnIndex="{col}" rowSpan="{row_span}" colSpan="1"/></Roles></TextRegion></TableRegion>
</Page></PcGts>"""
PAGE_DEFAULTS = {"ns": "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15", "page_w": "800", "page_h": "600",
                 "field_conf": "0.9", "region": "0,0 100,0 100,20 0,20", "line": "0,0 100,0 100,20 0,20",
                 "word": "0,0 50,0 50,20 0,20", "word_conf": "0.9", "line_conf": "0.8", "row": "0", "col": "0",
                 "row_span": "1"}  # fmt: skip

FORMATS = {"hocr": (HOCR, HOCR_DEFAULTS, read_hocr), "alto": (ALTO, ALTO_DEFAULTS, read_alto),
           "page": (PAGE, PAGE_DEFAULTS, read_page_xml)}  # fmt: skip
NUMERIC = [(fmt, slot) for fmt, (_, defaults, _) in FORMATS.items() for slot in defaults if slot != "ns"]


def document(fmt: str, **values: str) -> str:
    template, defaults, _ = FORMATS[fmt]
    return template.format(**{**defaults, **values})


def with_value(fmt: str, slot: str, value: str) -> str:
    """The document with ``value`` in ``slot``: in place of every number there (a box has four)."""
    default = FORMATS[fmt][1][slot]
    return document(fmt, **{slot: re.sub(r"-?\d+(?:\.\d+)?", lambda _: value, default)})


def read(fmt: str, text: str, source: str = "hostile.xml"):  # type: ignore[no-untyped-def]
    return FORMATS[fmt][2](text, source)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_good_documents_are_read(fmt: str) -> None:
    result = read(fmt, document(fmt))
    assert result.pages[0].width == 800 and result.pages[0].lines


@pytest.mark.parametrize(("fmt", "slot", "value", "line"), [
    ("hocr", "textangle", "abc", 5), ("hocr", "textangle", "nan", 5), ("hocr", "page_w", "inf", 3),
    ("hocr", "ppageno", "inf", 3), ("hocr", "word", "nan", 6), ("hocr", "page_w", "1e300", 3), ("hocr", "line_conf", "NaN", 5),
    ("alto", "s_w", "inf", 6), ("alto", "rotation", "nan", 4), ("alto", "s_x", "NaN", 6), ("alto", "page_h", "-5", 3),
    ("alto", "wc", "nan", 6), ("alto", "polygon", "Infinity", 7),
    ("page", "page_h", "-5", 2), ("page", "page_w", "1e300", 2), ("page", "word", "nan", 6), ("page", "line_conf", "nan", 7),
    ("page", "field_conf", "inf", 3), ("page", "row", "1e12", 9),
])  # fmt: skip
def test_a_number_that_is_not_finite_or_in_range_is_refused_naming_file_and_line(fmt: str, slot: str, value: str, line: int) -> None:
    with pytest.raises(MalformedDocumentError, match=rf"^hostile\.xml:{line}: .*{re.escape(value)}"):
        read(fmt, with_value(fmt, slot, value))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_document_in_a_foreign_namespace_is_refused(fmt: str) -> None:
    with pytest.raises(MalformedDocumentError, match=r"hostile\.xml:2: the root element is in the namespace 'urn:x-evil'"):
        read(fmt, document(fmt, ns="urn:x-evil"))


NON_FINITE = st.sampled_from(["nan", "NaN", "-nan", "inf", "-inf", "Infinity", "-Infinity", "1e400", "-1e999", "9" * 400])
ABSURD = st.one_of(
    NON_FINITE,
    st.floats(min_value=1e7, allow_infinity=False).map(repr),
    st.floats(max_value=-1e7, allow_infinity=False).map(repr),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slot=st.sampled_from(NUMERIC), value=ABSURD)
def test_any_non_finite_or_absurd_number_in_any_numeric_attribute_is_a_typed_refusal(slot: tuple[str, str], value: str) -> None:
    fmt, name = slot
    with pytest.raises(MalformedDocumentError, match=r"^hostile\.xml:\d+: "):
        read(fmt, with_value(fmt, name, value))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slot=st.sampled_from(NUMERIC), value=st.text(alphabet=st.characters(codec="utf-8", exclude_characters='"<&;'), max_size=12))
def test_any_text_in_a_numeric_attribute_is_read_or_refused_never_another_exception(slot: tuple[str, str], value: str) -> None:
    fmt, name = slot
    try:
        result = read(fmt, with_value(fmt, name, value))
    except MalformedDocumentError:
        return
    for page in result.pages:  # what was accepted is finite all through
        assert all(math.isfinite(v) for line in page.lines for q in (line.quad, *(w.quad for w in line.words)) for p in q.points
                   for v in p)  # fmt: skip
        assert 0 <= page.width <= 1_000_000 and 0 <= page.height <= 1_000_000


def test_parse_names_each_bad_file_goes_on_with_the_next_and_prints_no_nan(tmp_path: Path) -> None:
    files = [tmp_path / "1-angle.hocr", tmp_path / "2-nan-box.hocr", tmp_path / "3-good.hocr", tmp_path / "4-huge-page.hocr"]
    files[0].write_text(with_value("hocr", "textangle", "abc"), encoding="utf-8")
    files[1].write_text(with_value("hocr", "word", "nan"), encoding="utf-8")
    files[2].write_text(document("hocr"), encoding="utf-8")
    files[3].write_text(with_value("hocr", "page_w", "1e300"), encoding="utf-8")
    done = run_cli("parse", *map(str, files), "--engine", "hocr", "--format", "json")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    errors = done.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in errors] == [str(files[0]), str(files[1]), str(files[3])], errors
    assert "NaN" not in done.stdout and "Infinity" not in done.stdout
    (printed,) = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert printed["pages"][0]["lines"][0]["text"] == "Hello world"
    alto = tmp_path / "5-alto.xml"
    alto.write_text(with_value("alto", "s_w", "inf"), encoding="utf-8")
    page = tmp_path / "6.page.xml"
    page.write_text(with_value("page", "page_h", "-5"), encoding="utf-8")
    for path, engine in ((alto, "alto"), (page, "page")):
        done = run_cli("parse", str(path), "--engine", engine)
        assert done.returncode == 1 and "Traceback" not in done.stderr and f"{path}:" in done.stderr, done.stderr
