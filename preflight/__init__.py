"""preflight: pre-flight validation and upgrade-readiness checks for Windows Server / Hyper-V / VMM estates."""

__version__ = "0.1.0"
