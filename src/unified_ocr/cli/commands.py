"""The ``unified-ocr`` command.

Exit codes: 0 success; 1 a recognition or input error (stderr names the file; the other
files are still processed); 2 a usage or configuration error (found before the first image
whenever it can be: the configuration, the engine, its extra and credentials are checked first).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..api import choose_engine
from ..api import recognize as recognize_one
from ..config.profiles import load_config
from ..engines.registry import DEFAULT_ENGINE, default_registry
from ..engines.scope import shared_scope
from ..errors import ConfigError, UnifiedOcrError
from ..imaging.pdf import DEFAULT_DPI
from ..model import OcrResult

EXIT_FAILED = 1
EXIT_USAGE = 2

CONFIG_HELP = "Configuration file of engine profiles [default: $UNIFIED_OCR_CONFIG, then ./unified-ocr.toml]."


@contextmanager
def _config_errors_exit() -> Iterator[None]:
    """A configuration error is the user's setup, not an image: say so and exit 2."""
    try:
        yield
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="unified-ocr")
def cli() -> None:
    """One API and one result model over many OCR engines.

    \b
    Recognise an image with the offline default engine:
      unified-ocr recognize receipt.jpg --format text
    Use a profile of unified-ocr.toml (or an engine by name):
      unified-ocr recognize receipt.jpg --engine receipts
    See which engines are installed and usable here:
      unified-ocr engines
    """


def _render(result: OcrResult, fmt: str, compact: bool = False) -> str:
    if fmt == "text":
        return result.text
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=None if compact else 2)


def _output_paths(images: list[str], out: Path, suffix: str) -> list[Path]:
    """One output file per image in ``out``; same-named images from different folders get numbered."""
    taken: dict[str, int] = {}
    paths = []
    for image in images:
        stem = Path(image).stem or "image"
        n = taken.get(stem, 0)
        taken[stem] = n + 1
        paths.append(out / (f"{stem}{suffix}" if n == 0 else f"{stem}-{n}{suffix}"))
    return paths


@cli.command()
@click.argument("images", nargs=-1, required=True, metavar="IMAGE...")
@click.option("-e", "--engine", metavar="NAME", help=f"Profile or engine name [default: the config's default, else {DEFAULT_ENGINE}].")
@click.option("-c", "--config", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("-f", "--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True,
              help="json: the full result (quads, confidences); text: the text in reading order.")
@click.option("-o", "--out", type=click.Path(path_type=Path), metavar="FILE|DIR",
              help="Write to FILE (one image) or into DIR, one file per image [default: stdout].")
@click.option("--dpi", type=click.FloatRange(min=10, max=1200), default=DEFAULT_DPI, show_default=True,
              help="Resolution of the pixel frame given to PDF pages (and of their rendering, for engines that need images).")
@click.option("--no-cache", is_flag=True, help="Do not answer from, or write to, the result cache.")
def recognize(images: tuple[str, ...], engine: str | None, config: Path | None, fmt: str, out: Path | None, dpi: float,
              no_cache: bool) -> None:  # fmt: skip
    """Recognise the text of each IMAGE (JPEG, PNG, TIFF, BMP, WebP, GIF or PDF).

    Coordinates are pixels of the image as displayed (EXIF orientation applied); a
    multi-page TIFF or PDF gives one page each, PDF pages in the frame of a rendering at
    --dpi. With several images and no --out, JSON is printed one result per line (JSON
    Lines). A bad image is reported on stderr and the others still run; the exit code is
    then 1. An image already recognised with the same engine setup is answered from the
    result cache ($UNIFIED_OCR_CACHE_DIR, else the user cache folder) with no call.
    """
    with _config_errors_exit():
        cfg = load_config(config)
        choice = choose_engine(engine, cfg)
        shared_scope().get(choice)  # a missing extra or credential stops here, before any image
    suffix = ".json" if fmt == "json" else ".txt"
    to_dir = out is not None and (len(images) > 1 or out.is_dir() or str(out).endswith(os.sep))
    targets = _output_paths(list(images), out, suffix) if to_dir and out is not None else [out] * len(images)
    if to_dir and out is not None:
        out.mkdir(parents=True, exist_ok=True)
    failed = printed = 0
    show_progress = len(images) > 1 and sys.stderr.isatty()
    for i, (image, target) in enumerate(zip(images, targets)):
        if show_progress:
            click.echo(f"[{i + 1}/{len(images)}] {image}", err=True)
        try:
            result = recognize_one(image, choice, dpi=dpi, cache=not no_cache)
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except UnifiedOcrError as exc:
            failed += 1
            click.echo(f"error: {exc}", err=True)
            continue
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_render(result, fmt) + "\n", encoding="utf-8")
            click.echo(f"{image} -> {target}", err=True)
        elif len(images) == 1 or fmt == "json":
            click.echo(_render(result, fmt, compact=len(images) > 1))
        else:
            click.echo(("\n" if printed else "") + f"==> {image} <==\n{result.text}")
        printed += 1
    if failed:
        click.echo(f"{failed} of {len(images)} image(s) failed", err=True)
        sys.exit(EXIT_FAILED)


@cli.command()
@click.option("-c", "--config", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def engines(config: Path | None, as_json: bool) -> None:
    """List the installed engines and configured profiles, and whether each can run here.

    An engine that cannot run says why: a missing extra (and the pip command that adds
    it) or missing credentials (and where they are looked for).
    """
    registry = default_registry()
    rows: list[dict[str, Any]] = []
    for name, entry in registry.engines.items():
        reason = entry.cls.unavailable_reason()
        rows.append({
            "name": name, "kind": "engine", "usable": reason is None, "reason": reason,
            "network": entry.cls.needs_network, "from": entry.origin, "description": entry.cls.description,
            "default": name == DEFAULT_ENGINE,
        })  # fmt: skip
    with _config_errors_exit():
        cfg = load_config(config)
    for name in cfg.profiles:
        try:
            choice = choose_engine(name, cfg, registry)
            reason = choice.engine.unavailable_reason(choice.options)
            network = choice.engine.needs_network
        except ConfigError as exc:
            reason, network = str(exc), None
        rows.append({
            "name": name, "kind": "profile", "usable": reason is None, "reason": reason, "network": network,
            "from": f"{cfg.label} (backend {cfg.profiles[name].backend})", "description": "",
            "default": name == cfg.default,
        })  # fmt: skip
    problems = [{"plugin": p.plugin, "from": p.origin, "reason": p.reason} for p in registry.problems]
    if as_json:
        click.echo(json.dumps({"engines": rows, "plugin_problems": problems}, indent=2))
        return
    if not rows:
        click.echo("No engines are installed. Install the offline one: pip install 'unified-ocr[local]'")
    for row in rows:
        mark = "usable" if row["usable"] else "not usable"
        where = {True: "network", False: "offline", None: "?"}[row["network"]]
        default = ", default" if row["default"] else ""
        click.echo(f"{row['name']:<16} {row['kind']:<8} {mark:<11} {where:<8} from {row['from']}{default}")
        if row["description"]:
            click.echo(f"{'':<16} {row['description']}")
        if row["reason"]:
            click.echo(f"{'':<16} why: {row['reason']}")
    for p in problems:
        click.echo(f"plugin {p['plugin']} from {p['from']} was not loaded: {p['reason']}", err=True)


@cli.command()
@click.argument("responses", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="RESPONSE.json...")
@click.option("-e", "--engine", required=True, metavar="NAME", help="The engine whose responses these are (for example clova).")
@click.option("-f", "--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True,
              help="json: the unified result; text: the text in reading order.")
def parse(responses: tuple[Path, ...], engine: str, fmt: str) -> None:
    """Read responses saved from a vendor's API as unified results, offline.

    Coordinates stay in the frame of the image the vendor was sent. A response of the
    wrong shape is reported on stderr (exit code 1) and the others still run.
    """
    from ..api import parse as parse_response

    with _config_errors_exit():
        default_registry().engine_class(engine)
    failed = 0
    for path in responses:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            failed += 1
            click.echo(f"error: {path}: cannot be read ({exc.strerror})", err=True)
            continue
        try:
            result = parse_response(raw, engine)
        except UnifiedOcrError as exc:
            failed += 1
            click.echo(f"error: {path}: {exc}", err=True)
            continue
        if fmt == "json":
            click.echo(_render(result, fmt, compact=len(responses) > 1))
        else:
            click.echo((f"==> {path} <==\n" if len(responses) > 1 else "") + result.text)
    if failed:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.argument("name", metavar="NAME")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8080, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--key", "--secret", "--api-key", "key", metavar="KEY",
              help="The secret or API key clients must send [default: the emulator's own, printed at start].")
@click.option("--replay", type=click.Path(file_okay=False, exists=True, path_type=Path), metavar="DIR",
              help="Answer with recorded responses: NAME.json beside its image NAME.jpg/.png, matched by image content.")
@click.option("--engine", "offline_engine", default="rapidocr", show_default=True, metavar="ENGINE",
              help="Offline engine that does the recognition.")
@click.option("--latency", type=float, default=0.0, help="Seconds added to every answer.")
@click.option("--rate-limit", type=float, default=None, help="Requests per second served; more get the vendor's rate-limit answer.")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of requests answered with the vendor's 5xx error.")
@click.option("--drop-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of connections closed without an answer.")
@click.option("--malformed-rate", type=click.FloatRange(0, 1), default=0.0, help="Share answered 200 with a body that is not JSON.")
@click.option("--stall-rate", type=click.FloatRange(0, 1), default=0.0, help="Share held for --stall-seconds before answering.")
@click.option("--stall-seconds", type=float, default=30.0, show_default=True)
@click.option("--throttle-rate", type=click.FloatRange(0, 1), default=0.0, help="Share answered with the vendor's rate-limit error.")
@click.option("--canned", is_flag=True, help="Answer every image with one word across it, without OCR (load tests).")
@click.option("--seed", type=int, default=None, help="Seed for the fault draws, for repeatable runs.")
def emulate(name: str, host: str, port: int, key: str | None, replay: Path | None, offline_engine: str, latency: float,
            rate_limit: float | None, error_rate: float, drop_rate: float, malformed_rate: float, stall_rate: float,
            stall_seconds: float, throttle_rate: float, canned: bool, seed: int | None) -> None:  # fmt: skip
    """Serve an emulator of vendor NAME's OCR API (for example clova) on this machine.

    \b
    Build and test a pipeline offline, without spending paid calls:
      unified-ocr emulate clova --port 8080 --secret test
      CLOVA_OCR_INVOKE_URL=http://127.0.0.1:8080/general CLOVA_OCR_SECRET=test \\
        unified-ocr recognize receipt.jpg --engine clova
    """
    from ..engines.emulator import Faults

    with _config_errors_exit():
        cls = default_registry().emulator_class(name)
    faults = Faults(latency=latency, rate_limit=rate_limit, throttle_rate=throttle_rate, error_rate=error_rate, drop_rate=drop_rate,
                    malformed_rate=malformed_rate, stall_rate=stall_rate, stall_seconds=stall_seconds, seed=seed)  # fmt: skip
    try:
        server = cls(host=host, port=port, key=key, faults=faults, replay=replay, engine=offline_engine, canned=canned)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from None
    shown = "(as given)" if key else server.key

    def ready(url: str) -> None:
        click.echo(f"{name} emulator on {url}  key: {shown}  (Ctrl-C stops it)", err=True)

    try:
        server.serve_forever(ready)
    except KeyboardInterrupt:
        click.echo(f"stopped; {dict(server.stats)}", err=True)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-e", "--engine", metavar="NAME", help=f"Profile or engine name [default: the config's default, else {DEFAULT_ENGINE}].")
@click.option("-c", "--config", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), required=True, metavar="DIR",
              help="Where results/, journal.jsonl and summary.json go. Run the same command again to resume.")
@click.option("-j", "--concurrency", type=click.IntRange(min=1, max=256), default=4, show_default=True, help="Images in flight at once.")
@click.option("--rate-limit", type=click.FloatRange(min=0, min_open=True), metavar="PER_SECOND",
              help="Calls per second to the vendor, retries included [default: the profile's, else none].")
@click.option("--retries", type=click.IntRange(min=0), help="Tries after the first for transient errors [default: the profile's].")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache (every image is a call).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Result cache folder [default: $UNIFIED_OCR_CACHE_DIR, else the user cache folder].")
@click.option("--dpi", type=click.FloatRange(min=10, max=1200), default=DEFAULT_DPI, show_default=True, help="Pixel frame of PDF pages.")
def batch(inputs: tuple[str, ...], engine: str | None, config: Path | None, out: Path, concurrency: int, rate_limit: float | None,
          retries: int | None, no_cache: bool, cache_dir: Path | None, dpi: float) -> None:  # fmt: skip
    """Recognise many images; resumable, rate-limited, retried and cached.

    INPUT is an image, a folder (searched recursively for JPEG, PNG, TIFF, BMP, WebP, GIF
    and PDF files) or a text file (.txt, .lst) listing one path per line. Each finished
    image gets a line in DIR/journal.jsonl and, when it succeeded, DIR/results/NAME.HASH.json.
    Running the same command again skips the images the journal holds as done and tries the
    failed ones again; an image already recognised with the same engine setup is answered
    from the cache without a call. A bad image is reported and the others go on.
    """
    from ..batch.cache import ResultCache
    from ..batch.inputs import expand_inputs
    from ..batch.journal import Journal
    from ..batch.progress import BatchProgress
    from ..batch.runner import BatchAbortedError, Outcome, recognize_many

    with _config_errors_exit():
        cfg = load_config(config)
        choice = choose_engine(engine, cfg)
        shared_scope().get(choice)
    results = out / "results"
    results.mkdir(parents=True, exist_ok=True)
    journal = Journal(out / "journal.jsonl")
    done = journal.done()
    total = sum(1 for path in expand_inputs(inputs) if path not in done)
    progress = BatchProgress(total, skipped=len(done))

    def save(outcome: Outcome) -> str:
        assert outcome.result is not None and outcome.sha256 is not None
        name = f"{Path(outcome.source).stem or 'image'}.{outcome.sha256[:12]}.json"
        tmp = results / f".{name}.tmp"
        tmp.write_text(json.dumps(outcome.result.to_dict(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, results / name)
        return f"results/{name}"

    cache = None if no_cache else ResultCache(cache_dir)
    aborted = None
    try:
        for outcome in recognize_many(expand_inputs(inputs), choice, cfg, concurrency=concurrency, rate_limit=rate_limit,
                                      retries=retries, cache=cache, journal=journal, dpi=dpi, save=save):  # fmt: skip
            progress.add(outcome)
    except BatchAbortedError as exc:
        aborted = exc
    except KeyboardInterrupt:
        progress.close()
        click.echo(f"interrupted: {progress.done} done; run the same command again to go on", err=True)
        sys.exit(130)
    finally:
        progress.close()
        journal.close()
    summary = progress.summary()
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    for line in progress.summary_lines():
        click.echo(line, err=True)
    if aborted is not None:
        click.echo(f"error: {aborted}", err=True)
    if aborted is not None or summary["failed"]:
        sys.exit(EXIT_FAILED)


def main() -> None:
    cli(prog_name="unified-ocr")
