"""CC0xx: can the node be reached at all."""
