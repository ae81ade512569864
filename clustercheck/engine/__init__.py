"""The check engine: how a check is declared, found, run and documented, and the results model."""
