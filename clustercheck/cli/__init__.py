"""The command line: argument parsing, progress, and the commands (run, collect, checks,
explain, history)."""
