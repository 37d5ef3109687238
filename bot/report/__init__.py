"""Reports for the region's service programme (`make report`).

* `gaps`: distance from every locality and postcode area to the nearest point
  of each service, and which are beyond the thresholds (`config`).
* `closure`: what closing one service point would do; all points ranked.
* `demand`: what residents asked the bot for and what it could answer,
  aggregated from the tracker store with small cells hidden.
* `maps`, `tables`, `render`, `build`: the Swedish HTML page, its maps and a
  CSV per table.

No Rasa imports: everything runs in the action environment or any Python
with the library's dependencies (plus matplotlib for the maps).
"""

from __future__ import annotations

__all__: list[str] = []
