"""The docstrings name other objects the Sphinx way (``:class:`~unified_ocr.model.Page```), which
the site's Markdown does not know. This griffe extension shows such a name as code, shortened
where the ``~`` asks, so the API page reads ``Page`` rather than the role's markup."""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj):`(~?)([^`]+)`")


def _plain(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    name = target.rsplit(".", 1)[-1] if short else target.lstrip(".")
    return f"`{name}`"


class SphinxRoles(griffe.Extension):
    """Replaces each role in a docstring with the name it points at, as inline code."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(_plain, obj.docstring.value)
