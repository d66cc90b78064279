"""Writing a comparison to a folder: the files scripts read, and the page people look at.

::

    DIR/summary.json          every figure (shape documented in docs/compare.md; stable)
    DIR/images.csv            one row per image and engine
    DIR/disagreements.csv     where engines read the same place differently, lowest confidence first
    DIR/results/<profile>/    each engine's results (with --out they live in runs/<profile>-<hash>/results/)
    DIR/report.html           the page: summary table, a row per image, a viewer
    DIR/report/images/N.jpg   each image, at most 1,600 pixels on a side, for the viewer
    DIR/report/data/N.js      each image's quads, texts and diffs, loaded when the image is opened

The page is one template (``templates/report.html.j2``, Jinja2 with autoescaping) and works
from disk with no network: no CDN, no fetch (``file://`` forbids it), the per-image data as
script files added on demand, so a thousand images cost a thousand small files and not one
huge page.

Everything shown comes from outside (profile names from a config, file names, engines' texts),
so the page treats it as hostile. Data reaching a script goes through :func:`script_json`
(so ``</script>`` cannot end the script), the script finds elements by index, never by a
selector built from a name, and writes text only through ``textContent``. Control characters
are shown as their pictures (NUL as ``␀``), each text is isolated (``<bdi>``) so that a bidi
control in it cannot reverse what follows, and long texts are cut with the whole on hover.
The CSV files are spreadsheet-safe (:mod:`unified_ocr.exports.csvcells`).

Nothing of an engine's options but its fingerprint is written, which never holds
a secret; every file is checked for the engines' secrets all the same.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import jinja2
import jinja2.utils
from markupsafe import Markup
from rapidfuzz.distance import Levenshtein

from ..batch.readings import safe_name
from ..errors import UnifiedOcrError
from ..evaluation.detection import PageMatch
from ..evaluation.metrics import RUN_COLUMNS
from ..evaluation.truth import about, is_dont_care, truth_lines, truth_words
from ..exports.csvcells import safe_record, safe_row
from ..files import json_text, write_text_atomic
from ..imaging.sources import open_source
from ..secrets import Secret
from . import charts

if TYPE_CHECKING:
    from . import Comparison

#: The longest side of the copies of the images the viewer shows.
VIEW_SIDE = 1600
#: Summary columns of the page after the metrics' (each metric's ``shown``): (label, section, key, lower is better).
SPEED_COLUMNS = [("p50 s", "speed", "p50_seconds", True), ("p95 s", "speed", "p95_seconds", True)]


def csv_fields(metrics: Sequence[Any]) -> list[str]:
    """The columns of images.csv: the run's, each metric's ``columns`` in the metrics' order, the truth's problem."""
    return [*RUN_COLUMNS, *(c for metric in metrics for c in metric.columns), "truth_problem"]


def summary_columns(metrics: Sequence[Any]) -> list[tuple[str, str, str, bool]]:
    """The page's summary columns: each metric's ``shown`` under its name, then speed."""
    return [*((label, metric.name, key, lower) for metric in metrics for label, key, lower in metric.shown), *SPEED_COLUMNS]


#: Bidi embedding, override and isolate controls (U+202A-202E, U+2066-2069): each reorders what follows it.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: The longest text a table cell shows; the whole is in its title (shown on hover).
CELL_CHARS = 120
# C0 controls (tab and newline kept) and DEL as their pictures (U+2400-2421): NUL and ESC seen, not lost
_PICTURES = {c: 0x2400 + c for c in range(0x20) if chr(c) not in "\t\n"} | {0x7F: 0x2421}
_PLAIN = _PICTURES | dict.fromkeys(map(ord, BIDI_CONTROLS))


def script_json(value: Any) -> Markup:
    """``value`` as JSON that may stand inside an inline ``<script>`` (or a script file) as it is.

    ``<``, ``>``, ``&`` and ``'`` become ``\\u003c`` and so on, so no text can close the script
    or open a comment; every other character past ASCII is escaped too, U+2028 and U+2029
    among them (line ends to older JavaScript). The value the script reads is unchanged.
    """
    return jinja2.utils.htmlsafe_json_dumps(value, dumps=json.dumps, ensure_ascii=True)


def shown(value: Any) -> Any:
    """A text as the page shows it: control characters as their pictures (other values unchanged)."""
    return value.translate(_PICTURES) if isinstance(value, str) and not isinstance(value, Markup) else value


def plain(value: Any) -> str:
    """A text for where markup cannot isolate it (the page title, a title attribute): pictures
    for controls, and no bidi controls, which would reorder the text around it."""
    return str(value).translate(_PLAIN)


def bdi(value: Any, limit: int | None = None) -> Markup:
    """A text isolated in ``<bdi>`` (a bidi control in it reorders only itself), controls shown;
    cut to ``limit`` characters with the whole in the element's title."""
    text = "" if value is None else str(value)
    if limit is not None and len(text) > limit:
        return Markup('<bdi title="{}">{}…</bdi>').format(plain(text), shown(text[:limit]))
    return Markup("<bdi>{}</bdi>").format(shown(text))


_env = jinja2.Environment(
    loader=jinja2.PackageLoader("unified_ocr.comparison", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    finalize=shown,  # every value written, attributes too: controls as pictures
)
_env.filters.update(script_json=script_json, bdi=bdi, plain=plain)


def write_report(comparison: Comparison, out: Path, *, secrets: Sequence[str] = ()) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "summary.json", json_text(comparison.summary, indent=2))
    write_text_atomic(out / "images.csv", _images_csv(comparison))
    write_text_atomic(out / "disagreements.csv", _disagreements_csv(comparison))
    if comparison.out is None:  # with --out the runs hold each engine's results already
        for label in comparison.engines:
            for reading in comparison.readings[label]:
                if reading.result is not None:
                    name = f"{Path(reading.source).stem or 'image'}.json"
                    write_text_atomic(out / "results" / safe_name(label) / name, json_text(reading.result.to_dict()))
    for k in range(len(comparison.images)):
        _write_view(comparison, k, out)
    write_text_atomic(out / "report.html", _page(comparison))
    _check_secrets(out, [*secrets, *_engine_secrets(comparison)])
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _images_csv(comparison: Comparison) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, csv_fields(comparison.metrics), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for k, image in enumerate(comparison.images):
        for label in comparison.engines:
            figures = comparison.figures[k][label]
            row = {"image": image, "engine": label, "truth_problem": comparison.truth_errors[k] or ""}
            row.update({key: _fmt(value) for key, value in figures.items()})
            row["error"] = figures.get("error") or ""
            writer.writerow(safe_record(row))
    return buf.getvalue()


def _disagreements_csv(comparison: Comparison) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["image", "engine_a", "engine_b", "text_a", "text_b", "lower_confidence", "quad_a"])
    for d in comparison.disagreements:
        quad = " ".join(f"{x:.1f},{y:.1f}" for x, y in d.quad)
        writer.writerow(safe_row([d.image, d.first, d.second, d.first_text, d.second_text, _fmt(d.confidence), quad]))
    return buf.getvalue()


def _best(summary: dict[str, Any], columns: Sequence[tuple[str, str, str, bool]]) -> dict[str, set[str]]:
    """For each summary column, the engines with the best value (ties all marked)."""
    best: dict[str, set[str]] = {}
    for label, section, key, lower in columns:
        values = {e: (s.get(section) or {}).get(key) for e, s in summary["engines"].items()}
        known = {e: v for e, v in values.items() if v is not None}
        if len(known) >= 2:
            target = min(known.values()) if lower else max(known.values())
            best[label] = {e for e, v in known.items() if v == target}
    return best


def _page(comparison: Comparison) -> str:
    summary = comparison.summary
    rows = []
    for k, image in enumerate(comparison.images):
        rows.append({"index": k, "name": image, "problem": comparison.truth_errors[k], "figures": comparison.figures[k]})
    columns = summary_columns(comparison.metrics)
    shown = [c for c in columns if any((s.get(c[1]) or {}).get(c[2]) is not None for s in summary["engines"].values())]
    return _env.get_template("report.html.j2").render(
        summary=summary,
        engines=comparison.engines,
        columns=shown,  # a column no engine has a figure for (no truth boxes, no fields) is left out
        best=_best(summary, columns),
        rows=rows,
        has_truth=any(t is not None for t in comparison.truths),
        disagreements=comparison.disagreements[:200],
        fmt=_fmt,
        cell_chars=CELL_CHARS,
        charts={"cost_accuracy": charts.cost_accuracy(summary, comparison.engines),
                "latency": charts.latency(comparison.figures, comparison.engines)},
        metric_names={metric.name for metric in comparison.metrics},
    )


def _write_view(comparison: Comparison, k: int, out: Path) -> None:
    """Image ``k``'s copy for the viewer and its data script."""
    source = comparison.images[k]
    width = height = 0
    image_name = None
    try:
        pixels = open_source(source).decode()
        height, width = pixels.shape[:2]
        scale = min(1.0, VIEW_SIDE / max(width, height))
        if scale < 1.0:
            pixels = cv2.resize(pixels, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
        ok, encoded = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, 85])
        if ok:
            image_name = f"report/images/{k:05d}.jpg"
            path = out / image_name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(encoded.tobytes())
    except (UnifiedOcrError, OSError, cv2.error):
        pass  # an image nothing could read: the viewer says so, the figures are still there
    truth = comparison.truths[k]
    if not width:  # no pixels: take the frame from what was read
        for label in comparison.engines:
            result = comparison.readings[label][k].result
            if result is not None and result.pages:
                width, height = result.pages[0].width, result.pages[0].height
                break
    data: dict[str, Any] = {"source": source, "width": width, "height": height, "image": image_name,
                            "truth": None, "truth_problem": comparison.truth_errors[k], "engines": {}}  # fmt: skip
    norm = comparison.normalization.apply
    words = truth_words(truth) if truth is not None else []
    lines = truth_lines(truth) if truth is not None else []
    if truth is not None:
        regions: Sequence[Any] = words or lines
        data["truth"] = {"file": about(truth).get("source"), "format": about(truth).get("format"), "text": truth.text,
                         "regions": [[_points(r.quad), r.text, "dontcare" if is_dont_care(r) else "truth"] for r in regions]}  # fmt: skip
    for label in comparison.engines:
        reading = comparison.readings[label][k]
        result = reading.result
        entry: dict[str, Any] = {"ok": reading.ok, "error": reading.error if not reading.ok else None,
                                 "figures": comparison.figures[k][label], "words": [], "text": ""}  # fmt: skip
        if result is not None:
            entry["text"] = result.text
            match = comparison.matches[k][label].get("words") if words else None
            if not words and lines:
                units = [(line.quad, line.text, line.confidence) for page in result.pages for line in page.lines]
                match = comparison.matches[k][label].get("lines")
            else:
                units = [(w.quad, w.text, w.confidence) for w in result.words]
            status = _statuses(match, len(units))
            entry["words"] = [[_points(q), t, c, status[i]] for i, (q, t, c) in enumerate(units)]
            if match is not None:
                entry["missed"] = [g for g, taken in enumerate(_taken(match)) if not taken]
        if truth is not None:
            entry["diff"] = _diff(norm(truth.text), norm(result.text) if result is not None else "")
        data["engines"][label] = entry
    script = f"unifiedOcrReport.loaded({k}, {script_json(data)});\n"
    write_text_atomic(out / "report" / "data" / f"{k:05d}.js", script)


def _points(quad: Any) -> list[float]:
    return [round(v, 1) for point in quad.points for v in point]


def _statuses(match: PageMatch | None, count: int) -> list[str]:
    """Per detection: ``matched``, ``false`` (a care detection matching nothing), ``dontcare``, or ``read`` (no truth)."""
    if match is None:
        return ["read"] * count
    matched = {d for _, d, _ in match.pairs}
    return ["matched" if i in matched else "dontcare" if match.detection_dont_care[i] else "false" for i in range(count)]


def _taken(match: PageMatch) -> list[bool]:
    """Per truth region: matched, or not to be counted (do not care)."""
    matched = {g for g, _, _ in match.pairs}
    return [g in matched or dc for g, dc in enumerate(match.truth_dont_care)]


def _diff(truth: str, text: str) -> list[list[str]]:
    """Character-level diff of ``text`` against ``truth``: runs of ``=``, ``-`` (missed) and ``+`` (extra)."""
    out: list[list[str]] = []
    for op in Levenshtein.opcodes(truth, text):
        if op.tag == "equal":
            out.append(["=", truth[op.src_start:op.src_end]])
            continue
        if op.tag in ("delete", "replace"):
            out.append(["-", truth[op.src_start:op.src_end]])
        if op.tag in ("insert", "replace"):
            out.append(["+", text[op.dest_start:op.dest_end]])
    return out


def _engine_secrets(comparison: Comparison) -> list[str]:
    found = []
    for choice in comparison.choices:
        for name in type(choice.options).__attrs_attrs__:  # type: ignore[attr-defined]
            value = getattr(choice.options, name.name)
            if isinstance(value, Secret) and not value.missing_reason():
                try:
                    found.append(value.reveal())
                except UnifiedOcrError:
                    continue
    return [s for s in found if len(s) >= 4]


def _check_secrets(out: Path, secrets: Sequence[str]) -> None:
    """No file of the report may hold a secret: a hit is redacted, and said."""
    if not secrets:
        return
    for path in out.rglob("*"):
        if not path.is_file() or path.suffix not in (".json", ".csv", ".html", ".js", ".jsonl"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(secret in text for secret in secrets):
            for secret in secrets:
                text = text.replace(secret, "[secret]")
            path.write_text(text, encoding="utf-8")
            warnings.warn(f"{path}: held an engine's secret, now replaced by [secret]", stacklevel=3)
