"""``emulate``: a vendor's OCR API served on this machine, for building and testing offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..emulator import Faults
from ..engines.registry import default_registry
from .common import FiniteRange, config_errors_exit


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("name", metavar="NAME")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8080, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--key", "--secret", "--api-key", "key", metavar="KEY",
              help="The secret or API key clients must send [default: the emulator's own, printed at start].")
@click.option("--replay", type=click.Path(file_okay=False, exists=True, path_type=Path), metavar="DIR",
              help="Answer with recorded responses: NAME.json beside its image NAME.jpg/.png, matched by image content.")
@click.option("--engine", "offline_engine", metavar="ENGINE",
              help="Offline engine that does the recognition [default: the offline default engine].")
@click.option("--latency", type=float, default=0.0, help="Seconds added to every answer.")
@click.option("--rate-limit", type=float, default=None, help="Requests per second served; more get the vendor's rate-limit answer.")
@click.option("--error-rate", type=FiniteRange(0, 1), default=0.0, help="Share of requests answered with the vendor's 5xx error.")
@click.option("--drop-rate", type=FiniteRange(0, 1), default=0.0, help="Share of connections closed without an answer.")
@click.option("--malformed-rate", type=FiniteRange(0, 1), default=0.0, help="Share answered 200 with a body that is not JSON.")
@click.option("--stall-rate", type=FiniteRange(0, 1), default=0.0, help="Share held for --stall-seconds before answering.")
@click.option("--stall-seconds", type=float, default=30.0, show_default=True)
@click.option("--throttle-rate", type=FiniteRange(0, 1), default=0.0, help="Share answered with the vendor's rate-limit error.")
@click.option("--canned", is_flag=True, help="Answer every image with one word across it, without OCR (load tests).")
@click.option("--seed", type=int, default=None, help="Seed for the fault draws, for repeatable runs.")
@click.pass_context
def emulate(ctx: click.Context, name: str, host: str, port: int, key: str | None, replay: Path | None, offline_engine: str | None,
            latency: float, rate_limit: float | None, error_rate: float, drop_rate: float, malformed_rate: float, stall_rate: float,
            stall_seconds: float, throttle_rate: float, canned: bool, seed: int | None) -> None:  # fmt: skip
    """Serve an emulator of vendor NAME's OCR API (for example clova) on this machine.

    \b
    Build and test a pipeline offline, without spending paid calls:
      unified-ocr emulate clova --port 8080 --secret test
      CLOVA_OCR_INVOKE_URL=http://127.0.0.1:8080/general CLOVA_OCR_SECRET=test \\
        unified-ocr recognize receipt.jpg --engine clova

    An emulator may take options of its own after these (--NAME VALUE); an unknown one is
    refused with the list of the ones it takes.
    """
    with config_errors_exit():
        cls = default_registry().emulator_class(name)
    own = _own_options(getattr(cls, "OPTIONS", {}), ctx.args, name)
    faults = Faults(latency=latency, rate_limit=rate_limit, throttle_rate=throttle_rate, error_rate=error_rate, drop_rate=drop_rate,
                    malformed_rate=malformed_rate, stall_rate=stall_rate, stall_seconds=stall_seconds, seed=seed)  # fmt: skip
    try:
        server = cls(host=host, port=port, key=key, faults=faults, replay=replay, engine=offline_engine, canned=canned, **own)
    except (FileNotFoundError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    shown = "(as given)" if key else server.key

    def ready(url: str) -> None:
        click.echo(f"{name} emulator on {url}  key: {shown}  (Ctrl-C stops it)", err=True)

    try:
        server.serve_forever(ready)
    except KeyboardInterrupt:
        click.echo(f"stopped; {dict(server.stats)}", err=True)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise click.UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); pick another --port, or 0 for any free one") from None


def _own_options(known: dict[str, tuple[type, str]], args: list[str], name: str) -> dict[str, Any]:
    """``--some-option VALUE`` (or ``--some-option=VALUE``) pairs, checked against the emulator's own options."""
    listed = "; ".join(f"--{k.replace('_', '-')} ({help_})" for k, (_, help_) in known.items()) or "none"
    out: dict[str, Any] = {}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        option, sep, value = arg.partition("=")
        field = option[2:].replace("-", "_") if option.startswith("--") else ""
        if field not in known:
            raise click.UsageError(f"no such option: {arg!r} (see --help for the shared ones); the {name} emulator's own: {listed}")
        if not sep:
            if not rest:
                raise click.UsageError(f"{option} needs a value")
            value = rest.pop(0)
        kind = known[field][0]
        try:
            out[field] = kind(value)
        except ValueError:
            raise click.UsageError(f"{option}: expected {kind.__name__}, got {value!r}") from None
    return out
