"""The "did you mean" hint for a name that is none of the known ones.

One helper for every reader of hand-written names: the server's settings
(``poolgate.config``), ``poolgate apply``'s sections and the gateway's configuration,
so a typo is answered the same way wherever it is made.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'port'?)`` when one of ``known`` is close to ``name``, else an
    empty string; meant to be appended to the message about ``name``."""
    close = difflib.get_close_matches(name, sorted(set(known)), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
