"""Importers: how real service-point data gets into the registry.

One module per kind of source (`osm`, `geojson`, `csv`), all sharing the
contract in `base`: every record validated as the bot validates its registry,
skipped records reported with a Swedish reason, and the registry file
replaced atomically or not at all. Run them from the command line with
`python -m bot.importers --help`.
"""

from __future__ import annotations

from bot.importers.base import ImportReport, Skipped
from bot.importers.csv import import_csv
from bot.importers.geojson import import_geojson
from bot.importers.osm import import_osm

__all__ = ["ImportReport", "Skipped", "import_csv", "import_geojson", "import_osm"]
