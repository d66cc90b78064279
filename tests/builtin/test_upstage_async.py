"""Document Parse's asynchronous API against the emulator: over 100 pages, submit, poll, fetch the batches in order;
an accepted request kept in the run's store is collected by the next run instead of paid for again."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from unified_ocr_upstage import UpstageEmulator, UpstageOptions
from unified_ocr_upstage.asynchronous import DeadlineError

import unified_ocr
from unified_ocr import Secret
from unified_ocr.api import recognize_recorded
from unified_ocr.engines.operations import operations_kept_in

from ..conftest import SAMPLE

KEY = "up-async-key-DO-NOT-LEAK-77d0"


def pdf_of(pages: int) -> bytes:
    out = io.BytesIO()
    images = [Image.new("L", (40, 60), 255) for _ in range(pages)]
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=72)
    return out.getvalue()


def options(server: UpstageEmulator, **kwargs: object) -> UpstageOptions:
    return UpstageOptions(endpoint=server.url, api_key=Secret.of(KEY), model="document-parse", backoff=0.01, rate_limit=None,
                          async_rate_limit=None, poll_interval=0.01, **kwargs)  # type: ignore[arg-type]  # fmt: skip


def test_a_document_over_100_pages_goes_through_the_asynchronous_api(tmp_path) -> None:
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(pdf_of(101))
    with UpstageEmulator(key=KEY, canned=True) as server:
        result, record = recognize_recorded(str(pdf), options(server))
        assert len(server.requests) == 1  # one submission; 11 batches of 10 pages fetched
        assert server.stats["status_200"] == 1 + 2 + 11  # submit, two polls (started, completed), the downloads
    assert [p.index for p in result.pages] == list(range(101))
    assert all(p.text == "emulated" and (p.width, p.height) == (111, 167) for p in result.pages)  # pages at 200 dpi
    assert record.attempts == 1 and record.billed_pages == 101  # polls and downloads are not billed
    assert result.meta["upstage"]["billed_pages"] == 101


def test_up_to_100_pages_stay_synchronous_unless_asked(tmp_path) -> None:
    with UpstageEmulator(key=KEY, canned=True) as server:
        assert unified_ocr.recognize(SAMPLE, options(server)).text == "emulated"
        assert not server.requests
        assert unified_ocr.recognize(SAMPLE, options(server, asynchronous="always")).text == "emulated"
        assert len(server.requests) == 1
    assert UpstageOptions(model="document-parse", asynchronous="never").asynchronous == "never"


def test_an_accepted_request_is_collected_by_the_next_run_not_paid_again(tmp_path) -> None:
    store = tmp_path / "operations"
    with UpstageEmulator(key=KEY, canned=True, async_polls=1000) as server:
        with operations_kept_in(store) as kept, pytest.raises(DeadlineError) as caught:
            unified_ocr.recognize(SAMPLE, options(server, asynchronous="always", deadline=0.05))
        assert caught.value.retryable and "kept" in str(caught.value)
        assert kept is not None and len(kept) == 1 and len(server.requests) == 1
        server.async_polls = 0  # it completes now
        with operations_kept_in(store) as kept:
            result, record = recognize_recorded(SAMPLE, options(server, asynchronous="always"))
        assert result.text == "emulated" and record.billed_pages == 1
        assert len(server.requests) == 1 and kept is not None and len(kept) == 0  # polled and fetched: no new submission
        assert KEY not in str(caught.value) and not any(KEY in p.read_text() for p in store.glob("*.json"))
