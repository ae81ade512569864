"""Placeholder: the real OpenSSH server fixture is written with the ssh transport."""
