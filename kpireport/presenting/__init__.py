"""Presenting: one view model, every figure decided, and its renderers (HTML/PDF, deck, metrics workbook)."""
