"""The reference emulator: an independent model of the estate that applies actions, restarts, faults
and VMM 2012 setup. It imports only the inventory model, never the rule engine.
"""

from preflight.emulator import backup, fabric, restart, upgrade, vmm, windows  # noqa: F401 - registers effects
from preflight.emulator.drills import DrillResult, run_drills
from preflight.emulator.effects import EFFECTS, Applied, Request, Result, apply
from preflight.emulator.setup import SetupCheck, UpgradeResult
from preflight.emulator.state import EmulatedEstate, Outage
from preflight.emulator.upgrade import run_vmm_upgrade

__all__ = ["EFFECTS", "Applied", "DrillResult", "EmulatedEstate", "Outage", "Request", "Result", "SetupCheck",
           "UpgradeResult", "apply", "run_drills", "run_vmm_upgrade"]
