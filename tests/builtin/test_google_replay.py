"""Every recorded answer with a pixel frame, replayed by the emulator and read through the engine and the core:
words, line breaks and quads after mapping back to the user's image equal the raw JSON's (IoU >= 0.99).

The emulator matches a recording by the bytes of the image sent, so a blank stand-in of the recorded
image's stored size (and EXIF orientation, for the sideways photos) is enough: the answer is the real one.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from unified_ocr_google import GoogleEmulator, GoogleOptions

import unified_ocr
from unified_ocr import Secret

from .test_google_parse import READ, first_response, load, raw_lines, same_quad

KEY = "replay-key"
#: recorded photos stored sideways: (stored width, stored height, EXIF orientation)
STORED = {"ingreedy-IMG_0096-document": (4032, 3024, 6), "ingreedy-IMG_0100-document": (4032, 3024, 6)}
PIXEL_FRAMES = [name for name in READ if "async-pdf" not in name]  # that one is a PDF page, in points

pytestmark = pytest.mark.slow


def stand_in(name: str, width: int, height: int) -> bytes:
    """A blank image the recorded answer's image could have been: its stored size and orientation."""
    stored_w, stored_h, orientation = STORED.get(name, (width, height, 1))
    image = Image.new("L", (stored_w, stored_h), 255)
    image.paste(sum(name.encode()) % 200, (0, 0, 64, 64))  # a mark of its own: the emulator matches by bytes
    buf = io.BytesIO()
    if orientation != 1:
        exif = Image.Exif()
        exif[274] = orientation
        image.save(buf, "JPEG", quality=50, exif=exif.tobytes())
    else:
        image.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[Path, dict]]]:
    folder = tmp_path_factory.mktemp("replay")
    out = {}
    for name in PIXEL_FRAMES:
        response = first_response(load(name))
        page = response["fullTextAnnotation"]["pages"][0]
        data = stand_in(name, page["width"], page["height"])
        suffix = ".jpg" if data[:2] == b"\xff\xd8" else ".png"
        (folder / f"{name}{suffix}").write_bytes(data)
        (folder / f"{name}.json").write_text(json.dumps(response), encoding="utf-8")
        out[name] = (folder / f"{name}{suffix}", response)
    return folder, out


@pytest.mark.parametrize("name", PIXEL_FRAMES)
def test_replayed_answers_map_back_onto_the_users_image_unchanged(replayed, name: str) -> None:
    folder, answers = replayed
    image, response = answers[name]
    with GoogleEmulator(key=KEY, replay=folder) as server:
        result = unified_ocr.recognize(image, engine=GoogleOptions(endpoint=server.url, api_key=Secret.of(KEY), lines="vendor"))
        assert server.stats["status_200"] == 1
    page = result.pages[0]
    google = response["fullTextAnnotation"]["pages"][0]
    assert (page.width, page.height) == (google["width"], google["height"])  # the displayed frame, EXIF applied
    expected = raw_lines(response)
    assert [[w.text for w in line.words] for line in page.lines] == [[t for t, _ in line] for line in expected]
    for line, raw in zip(page.lines, expected):
        for word, (_, points) in zip(line.words, raw):
            assert same_quad(word.quad, points), (word.text, word.quad.points, points)
    assert page.text == response["fullTextAnnotation"]["text"].rstrip("\n")
