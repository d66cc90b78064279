"""Office documents and HEIC through the Upstage engine and its emulator, over real sockets: sent
as they are with their MIME type, read by Document Parse (office) or both APIs (HEIC), their pages
Upstage's; refused before any call where Upstage would refuse them (office files to Document OCR,
over 50 MB)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from unified_ocr_upstage import UpstageEmulator, UpstageOptions

from unified_ocr import Secret, UnsupportedImageError
from unified_ocr.api import recognize_recorded

from ..imaging import documents

KEY = "up-docs-s3cret-2b9c"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upstage"
OPENXML = "application/vnd.openxmlformats-officedocument"
MADE = {
    "docx": (documents.docx, f"{OPENXML}.wordprocessingml.document"),
    "pptx": (documents.pptx, f"{OPENXML}.presentationml.presentation"),
    "xlsx": (documents.xlsx, f"{OPENXML}.spreadsheetml.sheet"),
}


@pytest.fixture(scope="module")
def server():
    with UpstageEmulator(key=KEY) as emulator:  # not canned: it still cannot read documents, and says "emulated"
        yield emulator


def options(server: UpstageEmulator, **kwargs: Any) -> UpstageOptions:
    return UpstageOptions(endpoint=server.url, api_key=Secret.of(KEY), backoff=0.01, rate_limit=None, **kwargs)


def test_a_docx_is_read_by_document_parse_into_its_elements(tmp_path: Path) -> None:
    """A recorded two-page Document Parse answer, replayed for a DOCX: every element on its page,
    coordinates normalised (pages 1 x 1), said in the meta; the bytes sent unchanged as a DOCX."""
    with gzip.open(FIXTURES / "cookbook-miney-document-parse-bh-1.json.gz", "rt", encoding="utf-8") as f:
        raw = json.load(f)
    data = documents.docx("Miney report")
    (tmp_path / "report.docx").write_bytes(data)
    (tmp_path / "report.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with UpstageEmulator(key=KEY, replay=tmp_path) as emulator:
        result, record = recognize_recorded(tmp_path / "report.docx", options(emulator, model="document-parse"))
        assert emulator.last_upload == data
        assert emulator.last_upload_type == (MADE["docx"][1], "document.docx")
    assert [(p.index, p.width, p.height) for p in result.pages] == [(0, 1, 1), (1, 1, 1)]
    assert result.meta["document"] == "docx" and result.meta["coordinates"] == "normalised"
    for index, page in enumerate(result.pages):
        info = result.meta["upstage"]["pages"][index]
        empty = info.get("empty", [])  # elements without text (a figure) make no block
        kept = [e for e in raw["elements"] if e["page"] == index + 1 and e["id"] not in empty]
        assert len(page.blocks) == len(kept) and info["categories"] == [e["category"] for e in kept]
        for block, element in zip(page.blocks, kept):
            points = [(v["x"], v["y"]) for v in element["coordinates"]]
            assert block.quad is not None and block.quad.points == tuple(points)  # as given, 0..1
    assert "heading1" in result.meta["upstage"]["pages"][0]["categories"]
    assert record.billed_pages == 2


@pytest.mark.parametrize("fmt", sorted(MADE))
def test_each_office_format_goes_with_its_mime_type_and_gets_the_canned_answer(server, fmt: str) -> None:
    make, mime = MADE[fmt]
    data = make()
    result = recognize_recorded(data, options(server, model="document-parse"))[0]
    assert server.last_upload == data and server.last_upload_type == (mime, f"document.{fmt}")
    (page,) = result.pages
    assert (page.width, page.height) == (1, 1) and page.text == "emulated"
    assert result.meta["document"] == fmt and result.meta["coordinates"] == "normalised"


def test_heic_is_read_by_both_apis_in_upstages_own_frame(server) -> None:
    data = documents.heic()
    ocr = recognize_recorded(data, options(server))[0]
    assert server.last_upload == data and server.last_upload_type == ("image/heic", "document.heic")
    (page,) = ocr.pages
    assert (page.width, page.height) == (1000, 1000) and page.text == "emulated"  # metadata.pages, in pixels
    assert ocr.meta["document"] == "heic" and ocr.meta["coordinates"] == "pixels"
    parsed = recognize_recorded(data, options(server, model="document-parse"))[0]
    assert [(p.width, p.height) for p in parsed.pages] == [(1, 1)] and parsed.meta["coordinates"] == "normalised"


def test_an_office_file_to_document_ocr_is_refused_before_the_call_and_by_the_emulator(server) -> None:
    data = documents.docx()
    before = server.stats["requests"]
    with pytest.raises(UnsupportedImageError, match=r"engine 'upstage' with these settings does not take DOCX; .*upstage \(model = \"document-parse\"\)"):
        recognize_recorded(data, options(server))
    assert server.stats["requests"] == before
    answer = requests.post(server.url + "/v1/document-digitization", headers={"Authorization": f"Bearer {KEY}"},
                           data={"model": "ocr"}, files={"document": ("a.docx", data, MADE["docx"][1])}, timeout=10)  # fmt: skip
    assert answer.status_code == 415 and answer.json()["error"]["code"] == "unsupported_document_format"
    assert "Document Parse only" in answer.json()["error"]["message"]


def test_a_docx_over_50_mb_is_refused_before_the_call(server) -> None:
    data = documents.docx(padding=50 * 1024 * 1024)
    before = server.stats["requests"]
    with pytest.raises(UnsupportedImageError, match=r"over the 52,428,800 bytes engine 'upstage' takes; .*cannot be shrunk"):
        recognize_recorded(data, options(server, model="document-parse"))
    assert server.stats["requests"] == before
