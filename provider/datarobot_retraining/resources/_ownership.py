"""Whose policy is whose: provenance in the outputs, and what one provider process has given to which resource.

The engine runs every resource of a stack operation through one provider instance in one process (four workers).
That instance remembers the policies it has handed to a resource (created, adopted, or seen in the state of a
managed resource) and runs the creates of one name on one deployment one at a time, so that two resources
declaring the same name cannot both end up holding one policy.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

PROVENANCE = "provenance"
"""The output saying how the resource came to hold its policy; delete touches only these two."""
CREATED = "created"
ADOPTED = "adopted"
OWNED = frozenset({CREATED, ADOPTED})


class Claims:
    """The (deployment, policy id) pairs given to a resource, and one lock per (deployment, policy name)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claimed: set[tuple[str, str]] = set()
        self._names: dict[tuple[str, str], threading.Lock] = {}

    def claim(self, deployment_id: str, policy_id: str) -> None:
        with self._lock:
            self._claimed.add((deployment_id, policy_id))

    def is_claimed(self, deployment_id: str, policy_id: str) -> bool:
        with self._lock:
            return (deployment_id, policy_id) in self._claimed

    @contextmanager
    def creating(self, deployment_id: str, name: str) -> Iterator[None]:
        """Hold while looking for namesakes, creating and reconciling: one create per name and deployment."""
        with self._lock:
            lock = self._names.setdefault((deployment_id, name), threading.Lock())
        with lock:
            yield
