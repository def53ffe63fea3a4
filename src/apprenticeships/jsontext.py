"""Reading JSON that callers and operators send, where anything can arrive."""

from __future__ import annotations

import json
import uuid
from typing import Any


class InvalidJson(ValueError):
    """Not JSON; the message says why in a few words."""


def parse(raw: bytes | str) -> Any:
    """The JSON value of ``raw``. Raises ``InvalidJson`` for anything that is not JSON,
    including arrays or objects nested too deeply for the parser (which would otherwise
    raise RecursionError)."""
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise InvalidJson("not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InvalidJson(f"{error.msg} at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise InvalidJson("nested too deeply") from None


def canonical_guid(value: object) -> str | None:
    """The canonical (lower-case, hyphenated) form of a GUID, or None for anything else."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None
