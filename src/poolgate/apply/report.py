"""What an apply run did: a ``Result`` for each resource, the ``ApplyReport`` that
collects them (and becomes the JSON report), and ``ApplyError`` for a file that cannot
be applied."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

# "configured": validated configuration the server reads at start (functions, apis).
Action = Literal["created", "updated", "unchanged", "configured"]

# How a result kind appears in the JSON report: its key under the parent, and
# whether the parent holds a list of them. Keys mirror the file's.
_SECTIONS: dict[str, tuple[str, bool]] = {
    "pool": ("pools", True),
    "identity_provider": ("identity_providers", True),
    "client": ("clients", True),
    "domain": ("domain", False),
    "group": ("groups", True),
    "user": ("users", True),
    "function": ("functions", True),
    "api": ("apis", True),
}
_CHILD_KINDS: dict[str, tuple[str, ...]] = {
    "pool": ("identity_provider", "client", "domain", "group", "user")
}


class ApplyError(Exception):
    """The document cannot be applied and nothing was changed; each problem names the
    resource it concerns."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Result:
    """What apply did to one resource."""

    kind: str
    name: str
    id: str
    action: Action
    # Top-level settings an update changed.
    changed: list[str] = field(default_factory=list)
    # A client secret, only in the run that generated it.
    secret: str | None = None
    # What the reader should know about how the resource was matched.
    notes: list[str] = field(default_factory=list)
    children: list[Result] = field(default_factory=list)

    def walk(self) -> Iterator[Result]:
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "id": self.id, "action": self.action}
        if self.changed:
            body["changed"] = list(self.changed)
        if self.secret is not None:
            body["secret"] = self.secret
        if self.notes:
            body["notes"] = list(self.notes)
        for kind in _CHILD_KINDS.get(self.kind, ()):
            key, many = _SECTIONS[kind]
            body[key] = [] if many else None
        for child in self.children:
            key, many = _SECTIONS[child.kind]
            if many:
                body[key].append(child.to_dict())
            else:
                body[key] = child.to_dict()
        return body


@dataclass
class ApplyReport:
    results: list[Result]

    def walk(self) -> Iterator[Result]:
        for result in self.results:
            yield from result.walk()

    def counts(self) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for result in self.walk():
            # "configured" appears only when the file has gateway sections.
            counts[result.action] = counts.get(result.action, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"pools": []}
        for result in self.results:
            key, _many = _SECTIONS[result.kind]
            body.setdefault(key, []).append(result.to_dict())
        return body
