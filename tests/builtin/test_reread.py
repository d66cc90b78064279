"""Cached answers re-read, not re-bought: a parser of a new revision rebuilds a cached result
from the vendor's kept answer and the upload's frame, with no call, for every vendor engine,
against its emulator over real sockets on 127.0.0.1.

The image is stored turned (EXIF orientation 6) and larger than the profile's ``max_side``, so
every engine is sent a shrunk, upright upload: the transform back into the image matters.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import attrs
import pytest
from PIL import Image
from unified_ocr_azure import AzureEmulator, AzureEngine, AzureOptions
from unified_ocr_google import GoogleEmulator, GoogleEngine, GoogleOptions
from unified_ocr_textract import TextractEmulator, TextractEngine, TextractOptions
from unified_ocr_upstage import UpstageEmulator, UpstageEngine, UpstageOptions

from unified_ocr import OcrResult, Secret, Upload
from unified_ocr.api import planned_calls, recognize_recorded
from unified_ocr.cache import ResultCache
from unified_ocr.config.choice import EngineChoice
from unified_ocr.emulator import Emulator
from unified_ocr.engines.base import Engine, EngineOptions
from unified_ocr.model import Block
from unified_ocr_clova import ClovaEmulator, ClovaEngine, ClovaOptions
from unified_ocr_kakao import KakaoEmulator, KakaoEngine, KakaoOptions

from ..conftest import SAMPLE, cli_here

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("isolated_aws")]

KEY = "reread-s3cret-DO-NOT-LEAK-24"
ACCESS, SECRET = "AKIAREREADTEST000024", "reread/s3cret+DO-NOT-LEAK-24"
MAX_SIDE = 300  # the sample is 540 x 470: every upload is shrunk


@attrs.frozen
class Vendor:
    engine: type[Engine]
    emulator: Callable[[], AbstractContextManager[Emulator]]
    options: Callable[[Emulator], EngineOptions]


VENDORS = {
    "clova": Vendor(ClovaEngine, lambda: ClovaEmulator(key=KEY),
                    lambda s: ClovaOptions(invoke_url=s.url + "/general", secret=Secret.of(KEY), max_side=MAX_SIDE)),
    "kakao": Vendor(KakaoEngine, lambda: KakaoEmulator(key=KEY),
                    lambda s: KakaoOptions(endpoint=s.url + "/ocr/services/general-ocr/e3bd4a3e261e44fc9c2e5c30602ee29f",
                                           api_key=Secret.of(KEY), max_side=MAX_SIDE)),
    "google": Vendor(GoogleEngine, lambda: GoogleEmulator(key=KEY),
                     lambda s: GoogleOptions(endpoint=s.url, api_key=Secret.of(KEY), max_side=MAX_SIDE)),
    "azure": Vendor(AzureEngine, lambda: AzureEmulator(key=KEY, run_seconds=0.05),
                    lambda s: AzureOptions(endpoint=s.url, key=Secret.of(KEY), poll_interval=0.02, max_side=MAX_SIDE)),
    "upstage": Vendor(UpstageEngine, lambda: UpstageEmulator(key=KEY),
                      lambda s: UpstageOptions(endpoint=s.url, api_key=Secret.of(KEY), rate_limit=None, max_side=MAX_SIDE)),
    "textract": Vendor(TextractEngine, lambda: TextractEmulator(key=f"{ACCESS}:{SECRET}"),
                       lambda s: TextractOptions(endpoint=s.url, region="eu-west-1", access_key_id=Secret.of(ACCESS),
                                                 secret_access_key=Secret.of(SECRET), max_side=MAX_SIDE)),
}  # fmt: skip


def next_revision(engine: type[Engine]) -> type[Engine]:
    """``engine`` as a release with a changed parser would ship it: one revision up, and its
    reading of an answer gives visible new structure (each page's lines as one figure block)."""

    def read_answer(self: Engine, raw: Any, upload: Upload) -> OcrResult | None:
        read = engine.read_answer(self, raw, upload)
        assert read is not None
        pages = [attrs.evolve(p, blocks=(Block(0, len(p.lines), None, "figure"),) if p.lines else ()) for p in read.pages]
        return attrs.evolve(read, pages=pages)

    return type(engine.__name__, (engine,), {"revision": engine.revision + 1, "read_answer": read_answer})


@pytest.fixture(scope="module")
def turned(tmp_path_factory) -> Path:
    """The sample stored on its side, with EXIF orientation 6 to show it upright (540 x 470)."""
    path = tmp_path_factory.mktemp("reread") / "turned.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.open(SAMPLE).convert("RGB").rotate(90, expand=True).save(path, exif=exif, quality=95)
    return path


@pytest.fixture(scope="module", params=sorted(VENDORS))
def vendor(request) -> Iterator[tuple[Vendor, Emulator]]:
    spec = VENDORS[request.param]
    with spec.emulator() as server:
        yield spec, server


def choice(engine: type[Engine], options: EngineOptions) -> EngineChoice:
    return EngineChoice(engine.name, engine, options)


def test_a_revision_bump_rebuilds_cached_answers_with_no_call(vendor, turned, tmp_path) -> None:
    spec, server = vendor
    opts, cache = spec.options(server), ResultCache(tmp_path / "cache")
    old, paid = recognize_recorded(turned, choice(spec.engine, opts), cache=cache)
    assert paid.attempts >= 1 and not paid.cached and max(paid.upload_sizes[0]) == MAX_SIDE  # shrunk and turned
    assert (old.pages[0].width, old.pages[0].height) == (540, 470) and old.words
    assert not any(b.kind == "figure" for p in old.pages for b in p.blocks)
    newer = next_revision(spec.engine)
    before = server.stats["requests"]

    reread, record = recognize_recorded(turned, choice(newer, opts), cache=cache)

    assert server.stats["requests"] == before and record.attempts == 0 and record.cached  # read again, not bought again
    assert [b.kind for p in reread.pages for b in p.blocks] == ["figure"] * len(reread.pages)  # the new structure
    fresh, called = recognize_recorded(turned, choice(newer, opts), cache=False)
    assert called.attempts >= 1
    assert reread.pages == fresh.pages and reread.meta == fresh.meta  # quads to the last digit, in the image's frame
    assert reread.text == old.text and [w.quad for w in reread.words] == [w.quad for w in old.words]
    after = server.stats["requests"]
    again, hit = recognize_recorded(turned, choice(newer, opts), cache=cache)  # rewritten at the new revision: a plain hit
    assert hit.cached and again.pages == fresh.pages and server.stats["requests"] == after


def test_an_entry_written_before_answers_were_kept_hits_at_revision_1_and_is_paid_once_after_a_bump(vendor, turned, tmp_path) -> None:
    spec, server = vendor
    opts, cache = spec.options(server), ResultCache(tmp_path / "cache")
    first, _ = recognize_recorded(turned, choice(spec.engine, opts), cache=cache)
    [entry] = (tmp_path / "cache").rglob("*.json")
    data = json.loads(entry.read_text(encoding="utf-8"))
    assert data["rebuild"]["revision"] == spec.engine.revision == 1 and len(data["rebuild"]["uploads"]) == 1
    del data["rebuild"]  # as entries were written before
    entry.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = server.stats["requests"]

    hit, record = recognize_recorded(turned, choice(spec.engine, opts), cache=cache)
    assert record.cached and server.stats["requests"] == before and hit.pages == first.pages

    bumped, paid = recognize_recorded(turned, choice(next_revision(spec.engine), opts), cache=cache)
    assert not paid.cached and paid.attempts >= 1 and server.stats["requests"] > before  # nothing to read again: paid once
    assert bumped.pages[0].blocks[0].kind == "figure"


def test_parse_with_the_image_places_a_saved_answer_as_recognize_does(vendor, turned, tmp_path) -> None:
    spec, server = vendor
    opts = spec.options(server)
    result, _ = recognize_recorded(turned, choice(spec.engine, opts), cache=False)
    saved = tmp_path / "answer.json"
    saved.write_text(json.dumps(result.raw, ensure_ascii=False), encoding="utf-8")
    config = tmp_path / "unified-ocr.toml"
    config.write_text(f'[engines.small]\nbackend = "{spec.engine.name}"\nmax_side = {MAX_SIDE}\n', encoding="utf-8")

    done = cli_here("parse", str(saved), "--engine", "small", "--config", str(config), "--image", str(turned),
                    env={"AWS_REGION": "eu-west-1"})  # fmt: skip

    assert done.returncode == 0, done.stderr
    placed = OcrResult.from_dict(json.loads(done.stdout))
    assert placed.pages == result.pages  # in the image as displayed, not in the upload's frame
    unplaced = cli_here("parse", str(saved), "--engine", spec.engine.name)
    assert unplaced.returncode == 0, unplaced.stderr
    assert OcrResult.from_dict(json.loads(unplaced.stdout)).pages != result.pages  # without it: the upload's frame


def test_an_image_of_several_uploads_is_rebuilt_page_by_page_and_a_dry_run_counts_no_call(turned, tmp_path) -> None:
    """A two-page TIFF is two requests to Kakao (one page each): two kept answers, each read in
    its own upload's frame; the dry run of the bumped engine plans no call."""
    spec = VENDORS["kakao"]
    tiff = tmp_path / "two.tiff"
    first = Image.open(SAMPLE).convert("RGB")
    first.save(tiff, save_all=True, append_images=[first.resize((700, 610))])
    with spec.emulator() as server:
        opts, cache = spec.options(server), ResultCache(tmp_path / "cache")
        old, paid = recognize_recorded(tiff, choice(spec.engine, opts), cache=cache)
        assert paid.attempts == 2 and isinstance(old.raw, list) and len(old.raw) == 2
        newer = next_revision(spec.engine)
        assert planned_calls(tiff, choice(newer, opts), cache=cache) == 0
        before = server.stats["requests"]
        reread, record = recognize_recorded(tiff, choice(newer, opts), cache=cache)
        assert record.attempts == 0 and server.stats["requests"] == before
        fresh, _ = recognize_recorded(tiff, choice(newer, opts), cache=False)
    assert [(p.index, p.width, p.height) for p in reread.pages] == [(0, 540, 470), (1, 700, 610)]
    assert reread.pages == fresh.pages and [b.kind for p in reread.pages for b in p.blocks] == ["figure", "figure"]
