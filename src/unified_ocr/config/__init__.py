"""Configuration: named engine profiles from a TOML file, and secrets held by reference.

Which engine a name means (profiles, then installed engines) is
:func:`unified_ocr.config.choice.choose_engine`; it is not imported here, because the
engines import :class:`Secret` from this package.
"""

from __future__ import annotations

from ..secrets import Secret
from .profiles import CONFIG_ENV, CONFIG_FILENAME, Config, Profile, build_options, find_config, load_config

__all__ = ["CONFIG_ENV", "CONFIG_FILENAME", "Config", "Profile", "Secret", "build_options", "find_config", "load_config"]
