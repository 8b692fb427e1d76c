"""Ids for new things: random, or derived from the request's Idempotency-Key so a retry of the
same request names the same case, hazard and workflow update (and so acts only once)."""

import uuid
from collections import defaultdict

from recall.common.types import derived_id, new_id


class IdFactory:
    def __init__(self, seed: str | None = None):
        self.seed = seed
        self._counts: dict[str, int] = defaultdict(int)

    def new(self, prefix: str) -> str:
        if self.seed is None:
            return new_id(prefix)
        self._counts[prefix] += 1
        return derived_id(prefix, self.seed, self._counts[prefix])

    def update_id(self, name: str) -> str:
        if self.seed is None:
            return f"{name}-{uuid.uuid4()}"
        return self.new(f"upd-{name}")
