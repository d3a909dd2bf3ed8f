"""The faces the deck and the metrics workbook name for the PCs they are opened on: what an
office PC has, where the PDF embeds the fonts it was drawn with. Named once, so the deck's text
and the workbook's cells are in the same faces."""

LATIN_FACE = "Arial"
JAPANESE_FACE = "Meiryo"
"""Every Windows since Vista has it; where it is missing (LibreOffice on Linux, a Mac without
Office's fonts), the application substitutes a Japanese face it has, such as IPAexGothic."""
