"""Layout: words into lines, and lines into a column-aware reading order, for engines that
return only words (one shared function, so every engine's text reads the same way)."""

from __future__ import annotations

from .lines import ANGLE_TOLERANCE, group_lines

__all__ = ["ANGLE_TOLERANCE", "group_lines"]
