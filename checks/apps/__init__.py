"""CC7xx: the web applications deployed on the nodes."""
