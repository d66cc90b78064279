"""Ground truth, read from the forms people have, into the result model.

A truth file is read into an :class:`~unified_ocr.OcrResult`, the same objects an engine's
reading is: words inside lines, confidence ``None``, ``dont_care`` set on words and lines
nobody could read (ICDAR's ``###``; such a line is no part of the page's text), ``engine``
``"truth"``. Its ``meta["truth"]`` says where it came from and which boxes it gives:
``{"source": FILE, "format": NAME, "levels": [...]}``, where ``levels`` holds ``"words"``
and/or ``"lines"`` (the boxes the file places; none for plain text), or ``"unknown"`` for
formats that do not say (ICDAR style: decided over the whole set by :func:`settle_levels`).
:func:`truth_words`, :func:`truth_lines` and :func:`truth_fields` read a truth page that way.

One reader per format, each a :class:`TruthReader` with a ``name``, a cheap ``sniff`` of
the content and a ``read``, provided through the ``register_truth_readers`` hook (the
built-in ones, :data:`BUILT_IN`, by :mod:`unified_ocr.evaluation.plugin`); an export format
that reads back (``Exporter.read``) is a truth format too. A new format is one more reader,
and no metric changes.

* ``icdar``: ``x1,y1,x2,y2,x3,y3,x4,y4,text`` per line (UTF-8, with or without BOM; the
  text may hold commas; ``###`` is do not care). ICDAR 2015 words and SROIE's ``box/*.csv``
  lines alike: each region is a line of one word, and whether the regions are words or
  lines is decided over the whole truth set (:func:`settle_levels`), since one file of a few
  regions says too little.
* ``funsd``: FUNSD's JSON, ``form[]`` entities with ``words[{box, text}]``: the entities as
  lines holding their words.
* ``page``, ``alto``, ``hocr``: the interchange documents, read by their export format's
  reader: PAGE-XML is the ground truth of OCR-D and transcription editors; lines and words
  with their places and text.
* ``quads-json``: ``{"words": [{"text", "quad"}], "lines": [...]}``, as rendered sets and
  labelling tools write it; each word is placed in the line that holds most of it.
* ``text``: plain lines of text in reading order, no boxes: text metrics only.
* ``result``: a saved unified-ocr result (a corrected one used as gold): words, lines,
  text and named fields.

A file that cannot be read raises :class:`TruthError` naming the file and, where it
applies, the line: one that is empty, not in the text encoding given, or holds a number that
is not finite or is out of range (every coordinate goes through
:func:`unified_ocr.exports.numbers.read_number`).
"""

from __future__ import annotations

from .files import (
    AUTO_ENCODINGS,
    DEFAULT_ENCODING,
    TRUTH_SUFFIXES,
    TruthIndex,
    check_encoding,
    decode_truth,
    read_truth,
    settle_levels,
)
from .pages import (
    DONT_CARE,
    NOWHERE,
    TRUTH,
    about,
    has_boxes,
    is_dont_care,
    levels_of,
    truth_fields,
    truth_lines,
    truth_page,
    truth_words,
)
from .readers import (
    BUILT_IN,
    DocumentReader,
    FunsdReader,
    IcdarReader,
    PlainTextReader,
    QuadsJsonReader,
    ResultReader,
    TruthReader,
    format_names,
    from_result,
    reader_named,
    readers,
)

__all__ = ['AUTO_ENCODINGS', 'BUILT_IN', 'DEFAULT_ENCODING', 'DONT_CARE', 'DocumentReader', 'FunsdReader', 'IcdarReader', 'NOWHERE', 'PlainTextReader', 'QuadsJsonReader', 'ResultReader', 'TRUTH', 'TRUTH_SUFFIXES', 'TruthIndex', 'TruthReader', 'about', 'check_encoding', 'decode_truth', 'format_names', 'from_result', 'has_boxes', 'is_dont_care', 'levels_of', 'read_truth', 'reader_named', 'readers', 'settle_levels', 'truth_fields', 'truth_lines', 'truth_page', 'truth_words']  # fmt: skip
