"""Layout: words into lines, lines into a column-aware reading order and into blocks, for
engines that return only words (one shared function, so every engine's text reads the same way)."""

from __future__ import annotations

from .lines import ANGLE_TOLERANCE, BLOCK_GAP, group_blocks, group_lines, order_lines

__all__ = ["ANGLE_TOLERANCE", "BLOCK_GAP", "group_blocks", "group_lines", "order_lines"]
