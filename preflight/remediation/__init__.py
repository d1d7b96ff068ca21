"""Remediation: a typed catalog of fix actions, an ordered runbook, and its PowerShell rendering."""
