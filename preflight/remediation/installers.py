"""What the script does with installers: where media is staged on the target, and what an exit code means.

Sources for the exit codes:
- Windows Installer (msiexec.exe): 0 ERROR_SUCCESS, 3010 ERROR_SUCCESS_REBOOT_REQUIRED and 1641
  ERROR_SUCCESS_REBOOT_INITIATED are the success codes; any other is a failure (1603 ERROR_INSTALL_FAILURE
  is the usual one). https://learn.microsoft.com/en-us/windows/win32/msi/error-codes
- Windows Update Standalone Installer (wusa.exe): 0x240006 WU_S_ALREADY_INSTALLED (2359302) when the update
  is already installed, 0x80240017 WU_E_NOT_APPLICABLE when it does not apply (a failure here: the rule asked
  for it). KB949545, https://support.microsoft.com/kb/949545 ; 3010 as for msiexec.
- SQL Server and VMM setup return 0 on success and 3010 when a restart is needed, like the installers they run.
"""

from __future__ import annotations

from dataclasses import dataclass

STAGING = "Temp\\Preflight"
"""Where media is copied on the target, relative to its Windows folder (`\\\\server\\admin$` is that folder):
the target reads it from its own disk, so no Kerberos second hop is needed."""

RESTART_MARKER = "preflight:restart-pending"
"""What an installer helper outputs when the installer asked for a restart (the script collects it)."""


@dataclass(frozen=True)
class ExitCode:
    """One installer exit code the script accepts, and what it means."""

    code: int
    name: str
    restart: bool
    meaning: str


ACCEPTED: tuple[ExitCode, ...] = (
    ExitCode(0, "ERROR_SUCCESS", False, "success"),
    ExitCode(3010, "ERROR_SUCCESS_REBOOT_REQUIRED", True, "success; a restart completes the installation"),
    ExitCode(1641, "ERROR_SUCCESS_REBOOT_INITIATED", True, "success; the installer started a restart"),
    ExitCode(2359302, "WU_S_ALREADY_INSTALLED", False, "the update is already installed (wusa.exe)"),
)
"""Every exit code the script treats as success; any other stops the script with the installer's log path."""


def outcome(code: int) -> str:
    """What the script does for an installer exit code: 'ok', 'restart' (ok, restart pending) or 'fail'."""
    for accepted in ACCEPTED:
        if accepted.code == code:
            return "restart" if accepted.restart else "ok"
    return "fail"


def codes(restart: bool) -> str:
    """The accepted codes that do (or do not) leave a restart pending, as a PowerShell array literal."""
    return "@(" + ", ".join(str(c.code) for c in ACCEPTED if c.restart is restart) + ")"
