"""CC4xx: clocks and time synchronisation."""
