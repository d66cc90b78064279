"""PAGE-XML exports validate against the official 2019-07-15 schema: real fixtures, generated results, hostile text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import unified_ocr
from unified_ocr import Line, OcrResult, Page, Quad, Word

from ..conftest import ROOT

SCHEMAS = ROOT.parent / "shared" / "schemas"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NS = {"pc": "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"}
pytestmark = pytest.mark.skipif(not (SCHEMAS / "pagecontent.xsd").is_file(), reason=f"needs the official schemas at {SCHEMAS}")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "pagecontent.xsd"), etree.XMLParser(no_network=True)))


def valid(schema: etree.XMLSchema, result: OcrResult, **options: object) -> etree._Element:
    document = etree.fromstring(unified_ocr.export(result, "page", **options).encode("utf-8"))  # type: ignore[union-attr]
    assert schema.validate(document), schema.error_log
    return document


def recorded() -> list[tuple[str, OcrResult]]:
    out = []
    for engine in ("clova", "kakao"):
        for path in sorted((FIXTURES / engine).glob("*.json")):
            try:
                out.append((path.name, unified_ocr.parse(json.loads(path.read_text(encoding="utf-8")), engine)))
            except unified_ocr.UnifiedOcrError:
                continue  # recorded on purpose as not an API answer
    return out


@pytest.mark.parametrize(("name", "result"), recorded(), ids=[n for n, _ in recorded()])
def test_every_recorded_answer_exports_valid_page_xml(schema, name: str, result: OcrResult) -> None:
    for index in range(len(result.pages)):
        document = valid(schema, result, page=index)
        words = document.findall(".//pc:Word", NS)
        assert len(words) == sum(len(line.words) for line in result.pages[index].lines) + sum(
            len(line.words) for table in result.pages[index].tables for cell in table.cells for line in cell.lines
        )


def test_tables_keep_their_cells_and_spans(schema) -> None:
    result = unified_ocr.parse(json.loads((FIXTURES / "clova" / "autorag-kbo-table-general-v2.json").read_text(encoding="utf-8")), "clova")
    document = valid(schema, result)
    roles = document.findall(".//pc:TableRegion/pc:TextRegion/pc:Roles/pc:TableCellRole", NS)
    (table,) = result.pages[0].tables
    assert len(roles) == len([c for c in table.cells if c.quad is not None or c.lines])
    assert {(int(r.get("rowIndex")), int(r.get("colSpan"))) for r in roles} >= {(c.row, c.col_span) for c in table.cells if c.quad}


def test_hostile_text_an_empty_page_and_turned_quads(schema) -> None:
    turned = Word('a<&>"\'\x07b\x00', Quad([(100, 40), (100, 10), (110, 10), (110, 40)]), 0.5)
    outside = Word("합계", Quad.from_bbox(-5, 90, 40, 130), None)  # reaches past the page: clipped
    page = Page(0, 200, 100, (Line(turned.text, turned.quad, (turned,)), Line("합계", outside.quad, (outside,))))
    document = valid(schema, OcrResult("test", (page,)))
    texts = [u.text for u in document.findall(".//pc:Word/pc:TextEquiv/pc:Unicode", NS)]
    assert texts == ["a<&>\"'b", "합계"]
    assert "6 control character(s) dropped" in document.find(".//pc:Comments", NS).text  # twice in each of word, line, region
    assert document.find(".//pc:Word/pc:TextEquiv", NS).get("conf") == "0.5000"
    assert document.findall(".//pc:Word/pc:Coords", NS)[1].get("points") == "0,90 40,90 40,99 0,99"
    valid(schema, OcrResult("test", (Page(0, 50, 50),)))  # a page with no text is still a valid file
    with pytest.raises(ValueError, match="PAGE-XML holds one page a file"):
        unified_ocr.export(OcrResult("test", (Page(0, 5, 5), Page(1, 5, 5))), "page", page=2)


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)
points = st.floats(-50, 400, allow_nan=False)


@st.composite
def results(draw: st.DrawFn) -> OcrResult:
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        words = tuple(Word(draw(texts), Quad([(draw(points), draw(points)) for _ in range(4)]), draw(st.none() | st.floats(0, 1)))
                      for _ in range(draw(st.integers(1, 3))))  # fmt: skip
        lines.append(Line(" ".join(w.text for w in words), words[0].quad.union(*(w.quad for w in words[1:])), words))
    return OcrResult("generated", (Page(0, draw(st.integers(0, 300)), draw(st.integers(0, 300)), tuple(lines)),))


@settings(max_examples=80, deadline=None)
@given(results())
def test_generated_results_export_valid_page_xml(schema, result: OcrResult) -> None:
    valid(schema, result)


@pytest.mark.slow
def test_the_offline_engines_result_exports_valid_page_xml(schema, sample_reading) -> None:
    document = valid(schema, sample_reading)
    assert document.find(".//pc:Page", NS).get("imageWidth") == "540"
    lines = [u.text for u in document.findall(".//pc:TextLine/pc:TextEquiv/pc:Unicode", NS)]
    assert "Green tea 2 3,000" in lines


def test_page_xml_reads_back_as_truth_and_scores_itself_perfectly(schema, tmp_path) -> None:
    """A PAGE file (ours, or an editor's) is ground truth for compare: its words and lines come back."""
    from unified_ocr.evaluation.detection import match_page
    from unified_ocr.evaluation.truth import read_truth

    result = unified_ocr.parse(json.loads((FIXTURES / "clova" / "barguni-general-v2-card-slip.json").read_text(encoding="utf-8")), "clova")
    path = tmp_path / "slip.page.xml"
    path.write_text(unified_ocr.export(result, "page"), encoding="utf-8")  # type: ignore[arg-type]
    truth = read_truth(path)
    assert truth.meta["truth"]["format"] == "page" and [r.text for r in truth.words] == [w.text for w in result.words]
    assert [r.text for r in truth.pages[0].lines] == [line.text for line in result.pages[0].lines]
    words = result.words
    match = match_page([r.quad for r in truth.words], [r.text for r in truth.words], [w.quad for w in words])
    assert match.matched == len(words)  # every word where it was, within the rounding to whole pixels
    polygon = tmp_path / "editor.xml"
    polygon.write_text('<?xml version="1.0"?><PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15">'
                       '<Page imageFilename="a.png" imageWidth="100" imageHeight="100"><TextRegion id="r"><Coords points="0,0 9,0 9,9 0,9"/>'
                       '<TextLine id="l"><Coords points="0,0 50,0 60,5 50,10 0,10"/><TextEquiv><Unicode>합계</Unicode></TextEquiv>'
                       '</TextLine></TextRegion></Page></PcGts>', encoding="utf-8")  # fmt: skip
    (line,) = read_truth(polygon).pages[0].lines
    assert line.text == "합계" and line.quad.bbox() == (0, 0, 60, 10)
    broken = tmp_path / "broken.xml"
    broken.write_text('<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"><Page>\n<oops></Page>')
    with pytest.raises(unified_ocr.TruthError, match="broken.xml:2: not well-formed XML"):
        read_truth(broken)
