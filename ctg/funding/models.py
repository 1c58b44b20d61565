"""The CAF's yearly funding parameter tables (issue 14): written by the CAF's staff, history kept."""
