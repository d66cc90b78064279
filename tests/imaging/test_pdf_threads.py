"""PDFium is not thread-safe: many PDFs through a batch's threads must all come through,
and a failing PDF must say its own cause, not an earlier document's."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from unified_ocr import CorruptImageError, Secret
from unified_ocr.batch import recognize_many
from unified_ocr.imaging.sources import open_source
from unified_ocr_clova import ClovaEmulator, ClovaOptions
from unified_ocr_kakao import KakaoEmulator, KakaoOptions

KEY = "pdf-threads-key"


def pdf(pages: int, shade: int) -> bytes:
    """A ``pages``-page PDF; ``shade`` makes each one's bytes (and cache key) its own."""
    image = Image.new("RGB", (200, 150), (255, 255, shade % 256))
    buf = io.BytesIO()
    image.save(buf, "PDF", resolution=100, save_all=True, append_images=[image] * (pages - 1))
    return buf.getvalue()


def test_many_ten_page_pdfs_at_high_concurrency_all_come_through(tmp_path) -> None:
    paths = []
    for i in range(60):
        path = tmp_path / f"doc{i:03d}.pdf"
        path.write_bytes(pdf(10, i))
        paths.append(str(path))
    with ClovaEmulator(key=KEY, canned=True) as clova, KakaoEmulator(key=KEY, canned=True) as kakao:
        takes_pdf = ClovaOptions(invoke_url=clova.url + "/general", secret=Secret.of(KEY))
        renders = KakaoOptions(endpoint=kakao.url + "/ocr/services/general-ocr/e3bd4a3e261e44fc9c2e5c30602ee29f", api_key=Secret.of(KEY))
        for options, dpi, sources in ((takes_pdf, 200, paths), (renders, 40, paths[:20])):
            outcomes = list(recognize_many(sources, options, concurrency=16, cache=False, dpi=dpi))
            failed = [f"{o.source}: {o.error!r}" for o in outcomes if not o.ok]
            assert not failed, failed[:3]
            if options is renders:  # unified-ocr rendered and sent every page
                assert all(len(o.result.pages) == 10 for o in outcomes)  # type: ignore[union-attr]


def test_a_failing_pdf_says_its_own_cause() -> None:
    good = pdf(1, 0)
    handler = b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <" + b"01" * 32 + b"> /U <" + b"02" * 32 + b"> /P -4 >>"
    encrypted = good.replace(b"trailer\n<<", b"trailer\n<<\n" + handler + b"\n/ID [<" + b"03" * 16 + b"> <" + b"03" * 16 + b">]", 1)
    garbled = good[:9] + b"\x00" * 300 + good[309:]  # the middle overwritten; the end marker kept
    cases = [(encrypted, "encrypted PDF: it needs a password"), (good[: len(good) // 2], "no end-of-file marker"),
             (garbled, "damaged PDF"), (encrypted, "encrypted PDF"), (garbled, "damaged PDF")]  # fmt: skip
    for data, says in cases:  # in turn: PDFium's last error from one file must not speak for the next
        with pytest.raises(CorruptImageError, match=says) as info:
            open_source(data)
        assert ("password" in str(info.value)) == (b"/Encrypt" in data) and "Success" not in str(info.value)
