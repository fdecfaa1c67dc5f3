"""Facts read from a repository's files, one sub-package per source; collect.py gathers them."""
