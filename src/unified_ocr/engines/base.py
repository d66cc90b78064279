"""The contract every OCR engine fulfils, built-in or third-party.

An engine is a class with a ``name``, an ``Options`` class (frozen ``attrs``; its fields
are the keys a configuration profile may set), input :class:`~.prepare.Limits`, and
``recognize(upload) -> OcrResult`` in the frame of the upload. The core prepares the
input before the call and maps the result back after it, so an engine never deals with
EXIF, resizing or the user's coordinates.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar, cast

import attrs

from ..errors import ConfigError, UnsupportedImageError
from ..imaging.upload import Limits, Upload
from ..model import OcrResult
from ..secrets import Secret, redact_url, redact_urls

#: Field metadata for options that change how a call is made but not what it returns
#: (timeouts, retries, threads): they stay out of the result cache's key.
RUNTIME = {"result": False}


@attrs.frozen(slots=True)
class EngineOptions:
    """Base of every engine's options class. Subclass it with ``@attrs.frozen``.

    Mark fields that do not change results with ``metadata=RUNTIME``; secrets never count.
    """


OptionsT = TypeVar("OptionsT", bound=EngineOptions)


class Engine(abc.ABC, Generic[OptionsT]):
    """One OCR engine. Instances hold loaded models or HTTP sessions and are reused.

    Generic over its options class, so that ``self.options`` has the engine's own type::

        class AcmeEngine(Engine[AcmeOptions]):
            Options = AcmeOptions

    An engine whose result is a pure function of the service's answer (and of the options and
    the upload's frame) says so by implementing :meth:`read_answer` and ending ``recognize``
    with it: the result cache then keeps the answer and rebuilds the result from it, with no
    call, when a release raises ``revision``.
    """

    #: the name users type (``--engine NAME``, ``backend = "NAME"``)
    name: ClassVar[str]
    #: the options class; its fields are the profile keys this engine understands
    Options: ClassVar[type[EngineOptions]] = EngineOptions
    #: whether a call leaves this machine
    needs_network: ClassVar[bool] = False
    #: set by an engine that can serve when nothing names one (offline, no account): the
    #: installed engine with the highest priority is the default
    default_priority: ClassVar[int | None] = None
    #: one line for ``unified-ocr engines``
    description: ClassVar[str] = ""
    #: the scripts it reads (ISO 15924: ``Hang``, ``Latn``, ``Hani``...), or ``None`` when it does not
    #: say; a profile's ``lang`` needing another gets a warning (see :mod:`unified_ocr.engines.scripts`)
    scripts: ClassVar[frozenset[str] | None] = None
    #: raised by one when a release maps the same input to a different result (a parser or
    #: mapping fix), so that the result cache stops handing back results of the old mapping (an
    #: engine with :meth:`read_answer` gets them rebuilt from the kept answers, no call made);
    #: revision 1 is left out of the fingerprint, so caches written before it existed still hit
    revision: ClassVar[int] = 1
    #: the documents some setting of this engine takes as they are (``"docx"``, ``"heic"``...: see
    #: :data:`~.upload.DOCUMENT_FORMATS`), each with the setting it needs (``""`` when none): only
    #: for the message that names, to a user whose engine cannot read such a file, the ones that can
    #: (what a call takes is its ``limits.formats``)
    document_formats: ClassVar[Mapping[str, str]] = {}

    def __init__(self, options: OptionsT | None = None) -> None:
        self.options: OptionsT = options if options is not None else cast(OptionsT, self.Options())

    @property
    def limits(self) -> Limits:
        """What one request may hold; may depend on the options (a template has a lower cap)."""
        return Limits()

    @classmethod
    def reads(cls, options: EngineOptions | None = None) -> frozenset[str] | None:
        """The scripts this engine reads with ``options`` (an engine whose languages are options says so here)."""
        return cls.scripts

    @classmethod
    def missing_dependencies(cls) -> str | None:
        """Why this engine cannot be imported here (a missing extra), or ``None``."""
        return None

    @classmethod
    def unavailable_reason(cls, options: EngineOptions | None = None) -> str | None:
        """Why the engine cannot run with ``options`` now, or ``None`` when it can.

        Checked before any image is read: missing packages, then missing credentials.
        """
        reason = cls.missing_dependencies()
        if reason:
            return reason
        options = options if options is not None else cls.Options()
        for field in attrs.fields(type(options)):
            value = getattr(options, field.name)
            if isinstance(value, Secret) and value.missing_reason():
                return f"missing credentials: {field.name} from {value.missing_reason()}"
        required = [f.name for f in attrs.fields(type(options)) if f.metadata.get("required") and not getattr(options, f.name)]
        if required:
            return f"missing settings: {', '.join(required)} (set them in a profile of unified-ocr.toml)"
        return None

    @classmethod
    def fingerprint(cls, options: EngineOptions, *, revision: int | None = None) -> dict[str, Any]:
        """What identifies this engine's results: its name and the options that change them.

        The result cache keys on it with the image's hash; secrets and ``RUNTIME`` fields
        are left out, so a new key or a longer timeout still finds earlier results. It is
        also what a report writes of the options, so a URL's credentials (its userinfo, query
        values and fragment) are redacted (:func:`~unified_ocr.secrets.redact_url`):
        like a key, a new token in the URL still finds earlier results. ``revision`` (default:
        the engine's own) gives an earlier revision's, where the cache looks for answers to read again.
        """
        values: dict[str, Any] = {}
        for field in attrs.fields(type(options)):
            value = getattr(options, field.name)
            if isinstance(value, Secret) or field.metadata.get("result") is False:
                continue
            values[field.name] = redact_urls(list(value) if isinstance(value, tuple) else value)
        revision = cls.revision if revision is None else revision
        if revision != 1:
            return {"engine": cls.name, "revision": revision, "options": values}
        return {"engine": cls.name, "options": values}

    @classmethod
    def parse(cls, raw: Any) -> OcrResult:
        """Turn one saved response of this engine into a result: a pure function of the JSON.

        Coordinates are those of the response (the frame the engine saw); pages whose size
        the response does not give have width and height 0.
        """
        raise ConfigError(f"engine {cls.name!r} does not read saved responses")

    def read_answer(self, raw: Any, upload: Upload) -> OcrResult | None:
        """The result of the service's answer ``raw`` to ``upload``, as ``recognize`` returns it,
        or ``None`` (the default) when this engine cannot read a kept answer again.

        Implement it as a pure function of ``raw``, ``upload``'s frame (its format, pages, their
        sizes) and ``self.options``, and end ``recognize`` with it. When ``revision`` is raised,
        the result cache calls it on each upload's kept answer (``raw`` as cached: JSON, every
        lone surrogate replaced) with the upload as it was sent but without its bytes
        (``upload.data`` is ``b""``), and maps the result back as after a call: the new
        structure, no call made. ``unified-ocr parse --image`` reads a saved answer through it.
        """
        return None

    def recognize_url(self, url: str) -> OcrResult:
        """Recognise an image the service fetches itself; coordinates in that image's frame."""
        raise UnsupportedImageError(redact_url(url), f"engine {self.name!r} cannot fetch images by URL; download the image and pass the file")

    @abc.abstractmethod
    def recognize(self, upload: Upload) -> OcrResult:
        """Recognise one prepared upload: coordinates in the upload's frame, pages indexed
        0..n-1 within the upload (``upload.pages``), each with the size the engine saw it at."""

    def close(self) -> None:
        """Release models, sessions or sockets."""


@attrs.frozen(slots=True)
class EngineChoice:
    """What a name resolved to: a label for messages (the profile or engine name), the class and options."""

    label: str
    engine: type[Engine]
    options: EngineOptions
    price_per_1000: float | None = None  # the profile's, for cost estimates
    lang: str | None = None  # the language of the profile's images (``ko``), for engines with no lang option of their own
