"""hOCR, ALTO and PAGE-XML: valid by their official checkers on real answers and generated
results, read back to the same words, places and confidences, stable through a round trip,
and a malformed document refused with a typed error that names it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import unified_ocr
from unified_ocr import Block, Cell, Field, Line, OcrResult, Page, Quad, Table, Word
from unified_ocr.exports.xmlkit import UNSAFE

from ..conftest import ROOT, SAMPLE, cli_here, run_cli

SCHEMAS = ROOT.parent / "shared" / "schemas"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FORMATS = ("hocr", "alto", "page")
#: How far a point may move: hOCR and PAGE store whole pixels, ALTO three decimals.
PRECISION = {"hocr": 0.5, "alto": 0.0005, "page": 0.5}
#: How far a confidence may move: x_wconf keeps two decimals of a percent, WC and conf four decimals.
CONF_PRECISION = {"hocr": 0.00005, "alto": 0.00005, "page": 0.00005}
pytestmark = pytest.mark.skipif(not (SCHEMAS / "alto-4-4.local.xsd").is_file(), reason=f"needs the official schemas at {SCHEMAS}")


@pytest.fixture(scope="module")
def validators():
    hocr_spec = pytest.importorskip("hocr_spec", reason='the hOCR checker: pip install -e ".[test]" (hocr-spec)')
    parser = etree.XMLParser(no_network=True)
    schemas = {"alto": etree.XMLSchema(etree.parse(str(SCHEMAS / "alto-4-4.local.xsd"), parser)),
               "page": etree.XMLSchema(etree.parse(str(SCHEMAS / "pagecontent.xsd"), parser))}  # fmt: skip
    checker = hocr_spec.HocrValidator("standard")

    def check(fmt: str, document: str, tmp: Path) -> None:
        if fmt == "hocr":
            path = tmp / "doc.hocr"
            path.write_text(document, encoding="utf-8")
            report = checker.validate(str(path), parse_strict=False)
            assert report.is_valid(), report.format("text")
        else:
            schema = schemas[fmt]
            assert schema.validate(etree.fromstring(document.encode("utf-8"))), schema.error_log

    return check


def export_all(result: OcrResult, fmt: str) -> list[str]:
    """Every document of ``result`` in ``fmt``: PAGE holds one page a file."""
    if fmt == "page":
        return [unified_ocr.export(result, "page", page=k) for k in range(len(result.pages))]  # type: ignore[misc]
    return [unified_ocr.export(result, fmt)]  # type: ignore[list-item]


def recorded() -> list[tuple[str, OcrResult]]:
    out = []
    for engine in ("clova", "kakao"):
        for path in sorted((FIXTURES / engine).glob("*.json")):
            try:
                out.append((f"{engine}/{path.name}", unified_ocr.parse(json.loads(path.read_text(encoding="utf-8")), engine)))
            except unified_ocr.UnifiedOcrError:
                continue  # recorded on purpose as not an API answer
    return out


RECORDED = recorded()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "result"), RECORDED, ids=[n for n, _ in RECORDED])
def test_every_recorded_answer_exports_valid_and_reads_back_stable(validators, tmp_path, fmt: str, name: str, result: OcrResult) -> None:
    for document in export_all(result, fmt):
        validators(fmt, document, tmp_path)
        back = unified_ocr.parse(document, engine=fmt)
        assert back.engine == result.engine
        again = export_all(back, fmt)
        assert again == [document]  # document -> result -> document: the same file
    if fmt != "page":
        back = unified_ocr.parse(export_all(result, fmt)[0], engine=fmt)
        assert_same_words(result, back, fmt)


def assert_same_words(result: OcrResult, back: OcrResult, fmt: str) -> None:
    """The same words in the same order, each quad within the format's precision and its confidence too."""
    ours = [(page.index, w) for page in result.pages for w in page.words]
    theirs = [(page.index, w) for page in back.pages for w in page.words]
    assert [(i, UNSAFE.sub("", w.text)) for i, w in ours] == [(i, w.text) for i, w in theirs]
    for (_, a), (_, b) in zip(ours, theirs):
        for (ax, ay), (bx, by) in zip(a.quad.points, b.quad.points):
            assert abs(ax - bx) <= PRECISION[fmt] and abs(ay - by) <= PRECISION[fmt], (a, b)
        if a.confidence is None:
            assert b.confidence is None
        else:
            assert b.confidence is not None and abs(a.confidence - b.confidence) <= CONF_PRECISION[fmt]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_offline_engines_result_exports_valid_and_comes_back(validators, sample_reading, tmp_path, fmt: str) -> None:
    result = sample_reading
    (document,) = export_all(result, fmt)
    validators(fmt, document, tmp_path)
    back = unified_ocr.parse(document, engine=fmt)
    assert_same_words(result, back, fmt)
    assert back.text == result.text and back.pages[0].width == result.pages[0].width


# -- generated results ------------------------------------------------------------------

HOSTILE = st.sampled_from(['<&>"\'', "a\x00b", "\x07", "합계", "금액 1,000원", "x\ty", "]]>", "\u200b", "\x85", "e\u0301", "\ud800a\udfff"])
TEXTS = st.one_of(HOSTILE, st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=6))
WIDTH, HEIGHT = 400, 300


@st.composite
def quads(draw: st.DrawFn, inside: bool) -> Quad:
    """A rectangle turned by any angle (upright boxes half of the time); ``inside``: on the page."""
    x, y = draw(st.floats(30, WIDTH - 80)), draw(st.floats(30, HEIGHT - 60))
    w, h = draw(st.floats(2, 50)), draw(st.floats(2, 25))
    if draw(st.booleans()):
        quad = Quad.from_bbox(x, y, x + w, y + h)
    else:
        angle = draw(st.sampled_from([90.0, 180.0, 270.0, 30.0, -12.5]) | st.floats(-180, 180))
        quad = Quad.enclosing([Quad.from_bbox(x, y, x + w, y + h)], angle=angle)
    if not inside:
        quad = Quad([(px * draw(st.sampled_from([1, -1, 3])), py) for px, py in quad.points])
    return quad


@st.composite
def results(draw: st.DrawFn, inside: bool = False) -> OcrResult:
    pages = []
    for index in range(draw(st.integers(1, 2))):
        lines = []
        for _ in range(draw(st.integers(0, 4))):
            words = tuple(Word(draw(TEXTS), draw(quads(inside)), draw(st.none() | st.floats(0, 1))) for _ in range(draw(st.integers(1, 3))))
            lines.append(Line.from_words(words, draw(st.sampled_from([" ", ""]))))
        blocks = (Block(0, 1, lines[0].quad), Block(1, len(lines))) if len(lines) > 1 and draw(st.booleans()) else ()
        tables = ()
        if draw(st.booleans()):
            cell = Cell(0, 0, 1, 2, (Line.from_words([Word(draw(TEXTS), draw(quads(inside)), 0.5)]),), draw(quads(inside)))
            tables = (Table((cell, Cell(1, 0, quad=draw(quads(inside))), Cell(1, 1))),)
        fields = (Field(draw(TEXTS), "text", draw(TEXTS), draw(st.none() | quads(inside)), 0.25, value="1000"),) if draw(st.booleans()) else ()
        pages.append(Page(index, WIDTH, HEIGHT, tuple(lines), tables, fields, blocks))
    return OcrResult("generated", tuple(pages), meta={"source": draw(TEXTS), "lang": "ko"})


@settings(max_examples=60, deadline=None)
@given(result=results())
def test_generated_results_export_valid_documents(validators, tmp_path_factory, result: OcrResult) -> None:
    tmp = tmp_path_factory.mktemp("doc")
    for fmt in FORMATS:
        for document in export_all(result, fmt):
            validators(fmt, document, tmp)
            again = export_all(unified_ocr.parse(document, engine=fmt), fmt)[0]
            if "control character(s) dropped" in document:  # the note goes once the text is clean: stable from then on
                document = again
                again = export_all(unified_ocr.parse(document, engine=fmt), fmt)[0]
            assert again == document


@settings(max_examples=60, deadline=None)
@given(result=results(inside=True))
def test_generated_results_come_back_with_their_words_places_and_confidences(result: OcrResult) -> None:
    for fmt in ("hocr", "alto"):
        assert_same_words(result, unified_ocr.parse(export_all(result, fmt)[0], engine=fmt), fmt)
    for k, document in enumerate(export_all(result, "page")):
        back = unified_ocr.parse(document, engine="page")
        assert_same_words(OcrResult(result.engine, (attrs_page(result.pages[k]),)), back, "page")
        assert [(f.name, f.text, f.value) for f in back.pages[0].fields] == [
            (UNSAFE.sub("", f.name), UNSAFE.sub("", f.text), f.value) for f in result.pages[k].fields
        ]
        assert [(c.row, c.col, c.row_span, c.col_span) for t in back.pages[0].tables for c in t.cells] == [
            (c.row, c.col, c.row_span, c.col_span) for t in result.pages[k].tables for c in t.cells if c.quad or c.lines
        ]


def attrs_page(page: Page) -> Page:
    """A PAGE document's page is page 0 of its one-page result."""
    return Page(0, page.width, page.height, page.lines)


def test_tables_keep_their_cells_in_alto_and_turned_text_its_angle() -> None:
    result = unified_ocr.parse(json.loads((FIXTURES / "clova" / "autorag-kbo-table-general-v2.json").read_text(encoding="utf-8")), "clova")
    back = unified_ocr.parse(unified_ocr.export(result, "alto"), engine="alto")
    (table,), (original,) = back.pages[0].tables, result.pages[0].tables
    assert sorted((c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells) == sorted(
        (c.row, c.col, c.row_span, c.col_span, c.text) for c in original.cells if c.quad or c.lines
    )
    up = Quad([(110, 40), (110, 10), (120, 10), (120, 40)])  # reads bottom to top: turned 90 degrees counterclockwise
    turned = OcrResult("t", (Page(0, 200, 100, (Line("위로", up, (Word("위로", up, 0.9),)),)),))
    hocr = unified_ocr.export(turned, "hocr")
    # the line's and word's box and the line's angle say it all, as Tesseract writes it
    assert 'class="ocr_line" id="line_1_1_1" title="bbox 110 10 120 40; textangle 90"' in hocr  # type: ignore[operator]
    assert 'title="bbox 110 10 120 40; x_wconf 90"' in hocr  # type: ignore[operator]
    alto = etree.fromstring(unified_ocr.export(turned, "alto").encode())  # type: ignore[union-attr]
    assert alto.find(".//{*}TextBlock").get("ROTATION") == "90" and alto.find(".//{*}Polygon") is None
    for fmt in ("hocr", "alto"):
        (word,) = unified_ocr.parse(unified_ocr.export(turned, fmt), engine=fmt).words
        assert word.quad.points == up.points  # the box, started at the corner where text turned 90 degrees begins
    slanted = Quad([(10, 20), (60, 10), (62, 20), (12, 30)])
    hocr = unified_ocr.export(OcrResult("t", (Page(0, 200, 100, (Line("a", slanted, (Word("a", slanted),)),)),)), "hocr")
    assert "textangle 11.31" in hocr and "poly 10 20 60 10 62 20 12 30" in hocr  # type: ignore[operator]


def test_an_empty_page_and_hostile_text_give_valid_documents(validators, tmp_path) -> None:
    empty = OcrResult("test", (Page(0, 50, 40),))
    for fmt in FORMATS:
        (document,) = export_all(empty, fmt)
        validators(fmt, document, tmp_path)
        assert unified_ocr.parse(document, engine=fmt).pages[0].lines == ()
    word = Word('a<&>"\'\x07b\x00', Quad.from_bbox(-5, 10, 30, 20), 0.5)  # reaches past the page: clipped
    hostile = OcrResult("test", (Page(0, 50, 40, (Line(word.text, word.quad, (word,)),)),))
    for fmt in FORMATS:
        (document,) = export_all(hostile, fmt)
        validators(fmt, document, tmp_path)
        assert "control character(s) dropped" in document
        (back,) = unified_ocr.parse(document, engine=fmt).words
        assert back.text == "a<&>\"'b" and back.quad.bbox()[0] == 0


MALFORMED = {
    "hocr": ['<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><div class="ocr_page" title="bbox 0 0 9 9">\n<span',
             '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>no pages</p></body></html>',
             '<html><body><div class="ocr_page" title="bbox 0 0 9 9"><span class="ocr_line" title="bbox 1 2 x 4">a</span></div></body></html>',
             '<html><body><div class="ocr_page"><span class="ocr_line" title="bbox 0 0 5 5"><span class="ocrx_word" title="bbox 0 0 5 5; x_wconf 130">a</span></span></div></body></html>'],
    "alto": ['<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout>\n<Page',
             '<html/>',
             '<alto><Description><MeasurementUnit>mm10</MeasurementUnit></Description><Layout><Page/></Layout></alto>',
             '<alto><Layout><Page><PrintSpace><TextBlock><TextLine HPOS="0" VPOS="0" WIDTH="1" HEIGHT="1"><String CONTENT="a" HPOS="a" VPOS="0" WIDTH="1" HEIGHT="1"/></TextLine></TextBlock></PrintSpace></Page></Layout></alto>'],
    "page": ['<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"><Page>\n<oops></Page>',
             '<PcGts><Metadata/></PcGts>',
             '<PcGts><Page imageWidth="9" imageHeight="9"><TextRegion id="r"><Coords points="0,0 9,0 9,9 0,9"/><TextLine id="l"><Coords points="0,0 x,1"/></TextLine></TextRegion></Page></PcGts>',
             '<PcGts><Page imageWidth="9" imageHeight="9"><TextRegion id="r"><Coords points="0,0 9,0 9,9 0,9"/><TextLine id="l"><Coords points="0,0 9,0 9,9 0,9"/><TextEquiv conf="7"><Unicode>a</Unicode></TextEquiv></TextLine></TextRegion></Page></PcGts>'],
}  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_malformed_document_is_refused_with_a_typed_error_naming_it(tmp_path, fmt: str) -> None:
    for k, text in enumerate(MALFORMED[fmt]):
        path = tmp_path / f"bad-{k}.{fmt}"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(unified_ocr.MalformedDocumentError, match=re.escape(str(path))):
            unified_ocr.parse(path, engine=fmt)
        with pytest.raises(unified_ocr.InvalidResultError):  # the family a caller catches for any unreadable result
            unified_ocr.parse(text.encode("utf-8"), engine=fmt)
    good, bad = tmp_path / "good.xml", tmp_path / "bad-0.xml"
    good.write_text(export_all(OcrResult("t", (Page(0, 9, 9),)), fmt)[0], encoding="utf-8")
    bad.write_text(MALFORMED[fmt][0], encoding="utf-8")
    done = run_cli("parse", str(good), str(bad), "--engine", fmt, "--format", "text")
    assert done.returncode == 1 and f"error: {bad}:" in done.stderr and str(good) not in done.stderr


def test_parse_converts_documents_and_an_unknown_reader_lists_the_known_ones(tmp_path) -> None:
    result = unified_ocr.parse(json.loads((FIXTURES / "clova" / "barguni-general-v2-card-slip.json").read_text(encoding="utf-8")), "clova")
    source = tmp_path / "slip.hocr"
    source.write_text(unified_ocr.export(result, "hocr"), encoding="utf-8")  # type: ignore[arg-type]
    done = run_cli("parse", str(source), "--engine", "hocr", "--format", "alto")
    assert done.returncode == 0, done.stderr
    assert [w.text for w in unified_ocr.parse(done.stdout, engine="alto").words] == [w.text for w in result.words]
    done = cli_here("parse", str(source), "--engine", "hocr2")
    assert done.returncode == 2 and "unknown reader 'hocr2'" in done.stderr and "alto, azure, clova, google, hocr" in done.stderr
    with pytest.raises(unified_ocr.UnknownEngineError, match="page, rapidocr"):
        unified_ocr.parse("<x/>", engine="pagexml")


def test_tesseracts_own_hocr_reads_back_as_its_words() -> None:
    """Another tool's hOCR, as it writes it: Tesseract's, when its library is here."""
    tesserocr = pytest.importorskip("tesserocr", reason='needs Tesseract: pip install -e ".[tesseract]"')
    from PIL import Image

    from unified_ocr_tesseract.tessdata import find, languages

    tessdata = find()
    if tessdata is None or "eng" not in languages(tessdata):
        pytest.skip("needs Tesseract's English data: apt-get install tesseract-ocr")
    with tesserocr.PyTessBaseAPI(path=str(tessdata), lang="eng") as api:
        api.SetImage(Image.open(SAMPLE))
        document = api.GetHOCRText(0)
        words = [w for w in api.GetUTF8Text().split()]
    html = ('<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><meta name="ocr-system" '
            f'content="tesseract"/></head><body>{document}</body></html>')  # Tesseract's page, in the document its CLI wraps it in
    result = unified_ocr.parse(html, engine="hocr")
    assert [w.text for w in result.words] == words
    assert result.engine == "hocr" and result.meta["ocr-system"] == "tesseract"
    assert all(w.confidence is not None and 0 <= w.confidence <= 1 for w in result.words)
    assert result.pages[0].width > 0 and all(0 <= w.quad.bbox()[2] <= result.pages[0].width for w in result.words)


@pytest.mark.parametrize("fmt", ["alto", "hocr"])
def test_alto_and_hocr_are_compare_truth_too(tmp_path, fmt: str) -> None:
    from unified_ocr.evaluation.truth import read_truth

    result = unified_ocr.parse(json.loads((FIXTURES / "clova" / "barguni-general-v2-card-slip.json").read_text(encoding="utf-8")), "clova")
    path = tmp_path / f"slip.{fmt}"
    path.write_text(unified_ocr.export(result, fmt), encoding="utf-8")  # type: ignore[arg-type]
    truth = read_truth(path)
    assert truth.meta["truth"]["format"] == fmt and [r.text for r in truth.words] == [w.text for w in result.words]
    broken = tmp_path / f"broken.{fmt}"
    broken.write_text(MALFORMED[fmt][0], encoding="utf-8")
    with pytest.raises(unified_ocr.TruthError, match=re.escape(f"{broken}:")):
        read_truth(broken, fmt)
