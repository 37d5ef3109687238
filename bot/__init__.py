"""Servicelotsen's domain library: service points, places, opening hours.

Pure Python with no Rasa imports, so it can be tested and reused on its own
(the action server, the CLI, the editors' checks and the reports all use it).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
