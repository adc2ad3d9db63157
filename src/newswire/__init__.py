"""newswire: a free newswire system for independent newsrooms."""

__version__ = "0.1.0"
