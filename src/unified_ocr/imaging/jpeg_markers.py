"""A JPEG's structure checked from its markers alone (ITU-T T.81 Annex B), without decoding.

A JPEG sent to a service as it is must not be a cut file: the service would read the
missing part as grey and charge for it. Most cut files show it in their markers, and
walking them costs a pass over the bytes (about 0.1 ms for a 0.5 MB photo, against 4-5 ms
for libjpeg-turbo's cheapest decode, which still reads every bit of the compressed data):

- no end-of-image marker after the image data (a file cut short and nothing put back);
- a marker segment whose length runs past the end of the file, a byte other than a marker
  where one must be, a second start-of-image, a restart marker outside the image data;
- no frame header or no scan before the end;
- restart markers out of sequence, or fewer or more of them than the frame's size and the
  restart interval call for (a file cut short with an end marker put back, when the
  encoder wrote restart markers, as many cameras do);
- an end-of-image marker before the scans have coded every coefficient of every component
  (a progressive file cut between two scans with an end marker put back, which libjpeg
  itself shows as a blurred picture without a word).

What markers cannot show is inside one run of entropy-coded data: a cut with an end marker
put back when no restart marker follows the cut, or bytes garbled in the middle. Only
decoding the Huffman codes finds those (see :func:`.sources.verify_jpeg`). The last bytes
give a hint, though: an encoder ends a sequential scan with the last block's end-of-block
code and 1-bits to the byte, where a cut ends in the middle of a code as often as not
(``Structure.clean_end``).
"""

from __future__ import annotations

import attrs
import numpy as np

#: Frame headers (SOFn). C4 (DHT), C8 (JPG) and CC (DAC) sit in the same range but are not frames.
_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
#: Frames coded block by block with DCT, whose restart intervals count MCUs of 8x8 blocks.
_DCT_FRAMES = frozenset({0xC0, 0xC1, 0xC2, 0xC9, 0xCA})
_PROGRESSIVE = frozenset({0xC2, 0xCA})
_RESTARTS = range(0xD0, 0xD8)
_SOI, _EOI, _SOS, _DRI, _DHT, _TEM = 0xD8, 0xD9, 0xDA, 0xDD, 0xC4, 0x01


class _Frame:
    """What the frame header says about the scans to come."""

    def __init__(self, kind: int, height: int, width: int, components: dict[int, tuple[int, int]]) -> None:
        self.kind = kind
        self.height = height
        self.width = width
        self.components = components  # id -> (horizontal, vertical) sampling factors
        self.h_max = max(h for h, _ in components.values())
        self.v_max = max(v for _, v in components.values())
        # per component and coefficient: the lowest bit position coded so far (64 = none yet)
        self.coded = {cid: [64] * 64 for cid in components}

    def mcus(self, scan_components: list[int]) -> int | None:
        """MCUs in a scan of these components (T.81 A.2), or ``None`` when not countable here."""
        if self.kind not in _DCT_FRAMES or self.height == 0:  # lossless, hierarchical, or height in a DNL
            return None
        if len(scan_components) > 1:  # interleaved: one MCU covers h_max x v_max blocks of 8x8
            return -(-self.width // (8 * self.h_max)) * -(-self.height // (8 * self.v_max))
        h, v = self.components[scan_components[0]]
        columns = -(-self.width * h // self.h_max)
        rows = -(-self.height * v // self.v_max)
        return -(-columns // 8) * -(-rows // 8)

    def code(self, scan_components: list[int], first: int, last: int, high: int, low: int) -> None:
        """Record a scan's coefficients ``first..last`` coded down to bit ``low`` (T.81 G.1.1.1)."""
        if self.kind not in _PROGRESSIVE:
            first, last, high, low = 0, 63, 0, 0  # sequential: every coefficient, in full
        for cid in scan_components:
            coded = self.coded[cid]
            for k in range(first, min(last, 63) + 1):
                if high == 0 or coded[k] == high:  # a first pass, or the refinement of the one before
                    coded[k] = low

    def uncoded(self) -> str | None:
        for cid, coded in self.coded.items():
            if any(bit != 0 for bit in coded):
                return f"component {cid} is missing scans"
        return None


@attrs.frozen
class Structure:
    """What the markers say: the damage they show, and how many bytes the coded image data
    takes (from the first scan to the end marker: what a decode would have to read)."""

    problem: str | None
    coded_bytes: int = 0
    #: Whether the coded data ends the way an encoder ends it: the last block's end-of-block
    #: code, then 1-bits up to the byte (T.81 B.1.1.5). ``False`` is a hint, not a verdict: a
    #: cut with an end marker put back usually fails it, a whole file whose last coefficient
    #: is not zero does too. ``None`` where it is not read (progressive, arithmetic, lossless).
    clean_end: bool | None = None


def read_structure(data: bytes) -> Structure:
    """Walk ``data``, a JPEG's bytes, by its markers; nothing is decoded.

    One pass over the bytes (numpy finds every 0xFF that starts a marker), then the marker
    segments by their lengths and each scan's restart markers.
    """
    if data[:2] != b"\xff\xd8":
        return Structure("no start-of-image marker")
    size = len(data)
    raw = np.frombuffer(data, np.uint8)
    ff = np.flatnonzero(raw[:-1] == 0xFF)
    after = raw[ff + 1]
    # 0xFF 0x00 is a stuffed data byte and 0xFF 0xFF fill: neither starts a marker
    real = (after != 0x00) & (after != 0xFF)
    markers = _Markers(ff[real], after[real])
    frame: _Frame | None = None
    tables: dict[int, bytes] = {}
    interval = 0
    first_scan = 0
    clean_end: bool | None = None
    pos = 2
    while True:
        if pos >= size:
            return Structure("cut short: no end-of-image marker" if first_scan else "cut short: no image data")
        if data[pos] != 0xFF:
            return Structure(f"a byte other than a marker at offset {pos}")
        while pos + 1 < size and data[pos + 1] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos + 1 >= size:
            return Structure("cut short inside a marker")
        marker = data[pos + 1]
        if marker == _EOI:
            if frame is None:
                return Structure("no frame header (SOF) before the end")
            if not first_scan:
                return Structure("ends before any image data")
            missing = frame.uncoded()
            return Structure(f"ends early: {missing}" if missing else None, pos - first_scan, clean_end)
        if marker == _SOI:
            return Structure(f"a second start-of-image marker at offset {pos}")
        if marker in _RESTARTS:
            return Structure(f"a restart marker outside the image data at offset {pos}")
        if marker == _TEM:
            pos += 2
            continue
        if pos + 4 > size:
            return Structure("cut short inside a marker segment")
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > size:
            return Structure(f"the segment of marker 0x{marker:02X} at offset {pos} runs past the end of the file")
        body = data[pos + 4 : end]
        if marker in _FRAMES:
            frame = _read_frame(marker, body)
            if frame is None:
                return Structure(f"a malformed frame header at offset {pos}")
        elif marker == _DRI and length >= 4:
            interval = int.from_bytes(body[:2], "big")
        elif marker == _DHT:
            tables.update(_read_tables(body))
        elif marker == _SOS:
            if frame is None:
                return Structure("image data before the frame header (SOF)")
            first_scan = first_scan or end
            start = end
            problem, end = _walk_scan(frame, body, start, interval, markers)
            if problem:
                return Structure(problem)
            clean_end = _ends_cleanly(frame, body, tables, data[max(start, end - 12) : end])
        pos = end


def _read_frame(kind: int, body: bytes) -> _Frame | None:
    if len(body) < 6:
        return None
    height, width, count = int.from_bytes(body[1:3], "big"), int.from_bytes(body[3:5], "big"), body[5]
    if count == 0 or len(body) < 6 + 3 * count or width == 0:
        return None
    components = {body[6 + 3 * i]: (body[7 + 3 * i] >> 4, body[7 + 3 * i] & 15) for i in range(count)}
    if any(not 1 <= h <= 4 or not 1 <= v <= 4 for h, v in components.values()):
        return None
    return _Frame(kind, height, width, components)


class _Markers:
    """Every marker in the file, found in one pass: where each is, which it is, and where
    those are that end a run of coded data (all but the restart markers inside it)."""

    def __init__(self, positions: np.ndarray, kinds: np.ndarray) -> None:
        self.positions = positions
        self.kinds = kinds
        self.ends = positions[(kinds < 0xD0) | (kinds > 0xD7)]


def _walk_scan(frame: _Frame, header: bytes, start: int, interval: int, markers: _Markers) -> tuple[str | None, int]:
    """Check one scan: its header, then its entropy-coded data up to the marker that ends it.
    Returns the problem (or ``None``) and the offset of that marker."""
    count = header[0] if header else 0
    if count == 0 or len(header) < 4 + 2 * count:
        return f"a malformed scan header before offset {start}", start
    ids = [header[1 + 2 * i] for i in range(count)]
    if any(cid not in frame.components for cid in ids):
        return f"a scan of a component the frame does not have, before offset {start}", start
    found = int(np.searchsorted(markers.ends, start))
    if found == len(markers.ends):
        return "cut short: the image data runs to the end of the file with no end marker", start
    end = int(markers.ends[found])
    restarts = markers.kinds[np.searchsorted(markers.positions, start) : np.searchsorted(markers.positions, end)]
    wrong = np.flatnonzero(restarts != 0xD0 + np.arange(len(restarts)) % 8)
    if len(wrong):
        return f"restart marker {restarts[wrong[0]] - 0xD0} out of sequence (restart {wrong[0]} of the scan)", start
    mcus = frame.mcus(ids)
    expected = 0 if not interval else None if mcus is None else -(-mcus // interval) - 1
    if expected is not None and len(restarts) != expected:
        return f"{len(restarts)} restart markers in a scan that needs {expected} (cut short?)", start
    first, last, approx = header[1 + 2 * count], header[2 + 2 * count], header[3 + 2 * count]
    frame.code(ids, first, last, approx >> 4, approx & 15)
    return None, end


def _read_tables(body: bytes) -> dict[int, bytes]:
    """A DHT segment's Huffman tables (T.81 B.2.4.2): class and id (0x10 | id for AC) to
    the 16 code counts by length followed by the symbols."""
    tables = {}
    at = 0
    while at + 17 <= len(body):
        count = sum(body[at + 1 : at + 17])
        tables[body[at]] = body[at + 1 : at + 17 + count]
        at += 17 + count
    return tables


def _code(table: bytes, symbol: int) -> str | None:
    """The bits of ``symbol``'s code in a Huffman table, built as T.81 C.2 builds them."""
    code, index = 0, 16
    for length in range(1, 17):
        for _ in range(table[length - 1]):
            if index < len(table) and table[index] == symbol:
                return format(code, f"0{length}b")
            code += 1
            index += 1
        code <<= 1
    return None


def _ends_cleanly(frame: _Frame, header: bytes, tables: dict[int, bytes], tail: bytes) -> bool | None:
    """Whether a sequential Huffman scan's last bytes (``tail``) end with the end-of-block code
    of its last component's AC table, then fewer than eight 1-bits."""
    if frame.kind not in (0xC0, 0xC1):
        return None
    table = tables.get(0x10 | header[2 * header[0]] & 15)  # the AC table of the scan's last component
    eob = _code(table, 0x00) if table else None
    if eob is None:
        return None
    tail = tail.rstrip(b"\xff").replace(b"\xff\x00", b"\xff")[-4:]  # fill bytes off; stuffed bytes out
    bits = "".join(format(byte, "08b") for byte in tail)
    return any(bits.endswith(eob + "1" * padding) for padding in range(8))
