"""What every core operation is given: the store, the sealer, the clock and the
deployment's identity (region, account). Built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from poolgate.core.clock import Clock, system_clock
from poolgate.crypto.sealing import Sealer
from poolgate.store.base import Store


@dataclass
class Context:
    store: Store
    sealer: Sealer
    region: str = "us-east-1"
    account_id: str = "123456789012"
    clock: Clock = system_clock
