"""Reading: a workbook file, checked as hostile, into the typed domain model."""
