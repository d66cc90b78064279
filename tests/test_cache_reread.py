"""What a cache entry keeps to rebuild a result without a call: the engine's revision and each
upload's frame beside the answers. The engines' side is in tests/builtin/test_reread.py."""

from __future__ import annotations

import importlib
import io
import json
import sys
from pathlib import Path

import attrs
from PIL import Image

from unified_ocr import Secret
from unified_ocr.api import recognize_recorded
from unified_ocr.cache import ResultCache, cache_key
from unified_ocr.engines.base import Engine, EngineChoice, EngineOptions
from unified_ocr.imaging.frames import unsent_upload, upload_frame
from unified_ocr.imaging.prepare import map_back, prepare
from unified_ocr.imaging.sources import open_source
from unified_ocr.imaging.upload import Limits
from unified_ocr.model import OcrResult, Page

from .conftest import SAMPLE


def turned_pdf_and_image() -> list[bytes]:
    """A JPEG stored on its side (EXIF 6) and a 3-page PDF: uploads that are shrunk, turned, split."""
    exif = Image.Exif()
    exif[0x0112] = 6
    jpeg, pdf = io.BytesIO(), io.BytesIO()
    sample = Image.open(SAMPLE).convert("RGB")
    sample.rotate(90, expand=True).save(jpeg, "JPEG", exif=exif)
    sample.save(pdf, "PDF", resolution=100, save_all=True, append_images=[sample] * 2)
    return [jpeg.getvalue(), pdf.getvalue()]


def test_an_upload_frame_comes_back_from_json_exactly_without_its_bytes() -> None:
    limits = Limits(max_side=301, formats=frozenset({"jpeg", "png", "pdf"}), max_pages=2)
    for data in turned_pdf_and_image():
        for upload in prepare(open_source(data), limits, dpi=150):
            kept = unsent_upload(json.loads(json.dumps(upload_frame(upload))), upload.source)
            assert kept.pages == upload.pages and kept.format == upload.format and kept.data == b""  # transforms to the last bit


def test_an_entry_keeps_the_revision_and_frames_and_gives_one_answer_per_upload(tmp_path) -> None:
    cache = ResultCache(tmp_path)
    frames = [{"format": "png", "pages": []}, {"format": "png", "pages": []}]
    cache.put("ab" * 32, OcrResult("acme", [Page(0, 10, 10)], raw=[{"a": 1}, {"b": 2}]), revision=3, uploads=frames)
    entry = cache.entry("ab" * 32)
    assert entry is not None and entry.revision == 3 and list(entry.uploads) == frames
    assert entry.answers() == [{"a": 1}, {"b": 2}]
    cache.put("cd" * 32, OcrResult("acme", [Page(0, 10, 10)], raw=[{"a": 1}]), revision=3, uploads=frames[:1])
    single = cache.entry("cd" * 32)
    assert single is not None and single.answers() == [[{"a": 1}]]  # one upload whose answer is a list (a job's pages)


def test_an_entry_without_answers_or_with_a_damaged_rebuild_part_still_answers_at_its_revision(tmp_path) -> None:
    cache = ResultCache(tmp_path)
    offline = OcrResult("acme", [Page(0, 10, 10)])  # no raw answer: nothing to read again, nothing kept for it
    cache.put("ab" * 32, offline, revision=2, uploads=[{"format": "png", "pages": []}])
    assert "rebuild" not in json.loads(next(tmp_path.rglob("*.json")).read_text())
    kept = cache.entry("ab" * 32)
    assert cache.get("ab" * 32) == offline and kept is not None and kept.answers() is None
    path = tmp_path / "cd" / f"{'cd' * 32}.json"
    path.parent.mkdir()
    path.write_text(json.dumps({**offline.to_dict(), "raw": {"x": 1}, "rebuild": {"revision": "two", "uploads": 5}}))
    entry = cache.entry("cd" * 32)
    assert entry is not None and entry.result == offline and entry.revision is None and entry.answers() is None


def test_an_earlier_revision_has_its_own_key_and_revision_1_none() -> None:
    @attrs.frozen
    class AcmeOptions(EngineOptions):
        model: str = "v1"

    class Acme(Engine[AcmeOptions]):
        name = "acme"
        Options = AcmeOptions
        revision = 3

        def recognize(self, upload):  # pragma: no cover - never called
            raise AssertionError

    assert Acme.fingerprint(AcmeOptions())["revision"] == 3
    assert Acme.fingerprint(AcmeOptions(), revision=2)["revision"] == 2
    assert "revision" not in Acme.fingerprint(AcmeOptions(), revision=1)  # where entries written before revisions are


def test_the_read_answer_example_of_plugins_md_rebuilds_a_cached_result_with_no_call(tmp_path, monkeypatch) -> None:
    """The complete example of docs/plugins.md, changed as its section on cached answers says:
    an entry of revision 1 comes back from revision 2 with no service listening at all."""
    docs = (Path(__file__).resolve().parents[1] / "docs" / "plugins.md").read_text(encoding="utf-8")
    example = docs.split("## A complete example", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    section = docs.split("## Cached answers read again after a new revision", 1)[1]
    added = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert example.count("        return parse(raw, upload.size)\n") == 1 and '    description = "Acme OCR web service"\n' in example
    example = example.replace("        return parse(raw, upload.size)\n", "        return self.read_answer(raw, upload)\n")
    example = example.replace('    description = "Acme OCR web service"\n', '    description = "Acme OCR web service"\n' + added)
    package = tmp_path / "unified_ocr_acme"
    package.mkdir()
    (package / "__init__.py").write_text(example.replace("import json\n", "import json\nfrom typing import Any\n", 1))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "unified_ocr_acme", raising=False)
    acme = importlib.import_module("unified_ocr_acme")
    revision_2 = acme.AcmeEngine
    assert revision_2.revision == 2

    class Revision1(revision_2):  # type: ignore[misc,valid-type]
        revision = 1

    source = open_source(SAMPLE)
    [upload] = prepare(source, Limits(max_side=300))  # shrunk: the frame matters
    raw = {"lines": [{"words": [{"text": "TOTAL", "points": [[10, 5], [60, 5], [60, 20], [10, 20]], "score": 0.98}]}]}
    options = acme.AcmeOptions(endpoint="http://127.0.0.1:9/none", api_key=Secret.of("k"))
    cache = ResultCache(tmp_path / "cache")
    written = map_back(Revision1(options).read_answer(raw, upload), upload)
    cache.put(cache_key(source.sha256(), Revision1.fingerprint(options)), written, revision=1, uploads=[upload_frame(upload)])

    result, record = recognize_recorded(SAMPLE, EngineChoice("acme", revision_2, options), cache=cache)

    assert record.cached and record.attempts == 0 and result.text == "TOTAL"
    assert result.words[0].quad.points[0] == (10 * 540 / 300, 5 * 470 / 261)  # in the image, not the upload
    rewritten = cache.entry(cache_key(source.sha256(), revision_2.fingerprint(options)))
    assert rewritten is not None and rewritten.revision == 2
    monkeypatch.delitem(sys.modules, "unified_ocr_acme")
