"""Train/validation/test splits without leakage: every crop of one source image goes to the
split its image's bytes choose, so a split never changes when images are added."""

from __future__ import annotations

import hashlib

from ..errors import ConfigError

DEFAULT_SPLIT = "train=0.9,val=0.1"


def parse_split(text: str) -> list[tuple[str, float]]:
    """``train=0.9,val=0.1`` as ``[("train", 0.9), ("val", 0.1)]``; shares must sum to 1.

    >>> parse_split("train=0.8, val=0.1, test=0.1")
    [('train', 0.8), ('val', 0.1), ('test', 0.1)]
    """
    parts = []
    for item in text.split(","):
        name, _, share = item.strip().partition("=")
        name = name.strip()
        try:
            value = float(share)
        except ValueError:
            raise ConfigError(f"--split {text!r}: {item.strip()!r} is not NAME=SHARE (for example train=0.9,val=0.1)") from None
        if not name.isidentifier() or not 0 < value <= 1:
            raise ConfigError(f"--split {text!r}: a split is a plain name (letters, digits, _) with a share in (0, 1]; got {item.strip()!r}")
        parts.append((name, value))
    names = [n for n, _ in parts]
    if len(set(names)) != len(names):
        raise ConfigError(f"--split {text!r}: a split is named twice")
    if abs(sum(v for _, v in parts) - 1.0) > 1e-6:
        raise ConfigError(f"--split {text!r}: the shares sum to {sum(v for _, v in parts):g}, not 1")
    return parts


def split_of(image_sha256: str, seed: int, shares: list[tuple[str, float]]) -> str:
    """The split of an image: a point in [0, 1) from a hash of its bytes' digest and the seed.

    >>> split_of("ab" * 32, 0, [("train", 0.9), ("val", 0.1)]) in ("train", "val")
    True
    """
    digest = hashlib.sha256(f"{seed}:{image_sha256}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    total = 0.0
    for name, share in shares:
        total += share
        if point < total:
            return name
    return shares[-1][0]
