"""Reading JSON that callers and operators send, where anything can arrive."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any


class InvalidJson(ValueError):
    """Not JSON; the message says why in a few words."""


def parse(
    raw: bytes | str, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None
) -> Any:
    """The JSON value of ``raw``. Raises ``InvalidJson`` for anything that is not JSON,
    including arrays or objects nested too deeply for the parser (which would otherwise
    raise RecursionError). ``object_pairs_hook`` builds each object from its properties
    in the order sent (``json.loads``'s hook), for a reader that needs every one."""
    try:
        return json.loads(raw, object_pairs_hook=object_pairs_hook)
    except UnicodeDecodeError:
        raise InvalidJson("not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InvalidJson(f"{error.msg} at line {error.lineno} column {error.colno}") from None
    except ValueError:
        # An integer of more digits than Python converts (4300): a 500 before.
        raise InvalidJson("a number with too many digits") from None
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
