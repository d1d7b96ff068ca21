"""The report stage: one immutable `Report` per run."""

from preflight.report.model import (
    REPORT_SCHEMA,
    InputFile,
    MissingData,
    Report,
    UnknownPolicy,
    Verdict,
    build_report,
    decide,
)

__all__ = ["REPORT_SCHEMA", "InputFile", "MissingData", "Report", "UnknownPolicy", "Verdict", "build_report", "decide"]
