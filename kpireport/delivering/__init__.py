"""Delivering: outputs written whole or not at all, and e-mailed."""
