"""The course's containers, with attribute access on top.

The course hands results around in plain dicts and tuples: ``grads["dw"]``,
``params, grads, costs = optimize(...)``, ``d["costs"]``. Our results *are*
those containers (subclasses of :class:`dict` and :class:`tuple`), so a
learner's notebook and its tests run unchanged; they also answer attribute
access (``grads.dw``, ``result.costs``), which the rest of the package uses.
"""

from __future__ import annotations

from typing import Any


class AttributeDict(dict[str, Any]):
    """A ``dict`` whose keys can also be read as attributes: ``d.costs is d["costs"]``.

    Attributes are read-only views of the keys; change an entry with
    ``d["key"] = value``, as with any dict.
    """

    # No instance __dict__: an attribute can never drift apart from its key.
    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__!r} has no attribute or key {name!r}; "
                f"its keys are {', '.join(self)}"
            ) from None

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"
