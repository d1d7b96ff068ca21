"""`preflight import`: turn a collector bundle (or an admin's hand exports) into a `preflight/inventory/v1` snapshot."""

from preflight.importer.fabric import ImportResult, import_bundles

__all__ = ["ImportResult", "import_bundles"]
