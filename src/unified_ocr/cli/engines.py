"""``engines``: what is installed and configured, and whether each can run here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..config.choice import choose_engine
from ..config.profiles import load_config
from ..engines.registry import default_registry
from ..engines.scripts import SCRIPT_NAMES, unread
from ..errors import ConfigError
from .common import CONFIG_HELP, config_errors_exit


def _reads(scripts: frozenset[str] | None) -> list[str] | None:
    """Script names for a person, in a fixed order; ``None`` when the engine does not say."""
    return None if scripts is None else [SCRIPT_NAMES.get(code, code) for code in sorted(scripts)]


@click.command()
@click.option("-c", "--config", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def engines(config: Path | None, as_json: bool) -> None:
    """List the installed engines and configured profiles, and whether each can run here.

    An engine that cannot run says why: a missing extra (and the pip command that adds
    it) or missing credentials (and where they are looked for).
    """
    registry = default_registry()
    default_engine = registry.default_engine_name()
    rows: list[dict[str, Any]] = []
    for name, entry in registry.engines.items():
        reason = entry.cls.unavailable_reason()
        rows.append({
            "name": name, "kind": "engine", "usable": reason is None, "reason": reason,
            "network": entry.cls.needs_network, "from": entry.origin, "description": entry.cls.description,
            "default": name == default_engine, "reads": _reads(entry.cls.reads(None)),
        })  # fmt: skip
    with config_errors_exit():
        cfg = load_config(config)
    for name in cfg.profiles:
        reads, warning = None, None
        try:
            choice = choose_engine(name, cfg, registry)
            reason = choice.engine.unavailable_reason(choice.options)
            network = choice.engine.needs_network
            reads = _reads(choice.engine.reads(choice.options))
            missing = unread(choice.lang, choice.engine.reads(choice.options))
            if missing and choice.lang:
                warning = f"lang = {choice.lang!r} needs {', '.join(_reads(missing) or [])}, which {choice.engine.name} does not read"
        except ConfigError as exc:
            reason, network = str(exc), None
        rows.append({
            "name": name, "kind": "profile", "usable": reason is None, "reason": reason, "network": network,
            "from": f"{cfg.label} (backend {cfg.profiles[name].backend})", "description": "",
            "default": name == cfg.default, "reads": reads, "warning": warning,
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
        if row["reads"]:
            click.echo(f"{'':<16} reads: {', '.join(row['reads'])}")
        if row.get("warning"):
            click.echo(f"{'':<16} warning: {row['warning']}")
        if row["reason"]:
            click.echo(f"{'':<16} why: {row['reason']}")
    for p in problems:
        click.echo(f"plugin {p['plugin']} from {p['from']} was not loaded: {p['reason']}", err=True)


