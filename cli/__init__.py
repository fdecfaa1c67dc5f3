"""The command line: one module per command; main.py maps errors to exit codes."""
