"""Transports: how the engine reaches a node (ssh, local, files)."""
