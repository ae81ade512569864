"""The Report (built once, immutable, with typed views) and the run history."""
