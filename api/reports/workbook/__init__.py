"""The parts of a report workbook: its sheets' columns, the writers, the print setup and
the running totals. `api/reports/builders.py` puts them together."""
