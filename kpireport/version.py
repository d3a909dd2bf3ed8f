"""The one place kpireport's version is written (pyproject reads it from here): a literal rather
than importlib.metadata, which costs every command about 55 ms of start-up."""

__version__ = "0.1.0"
