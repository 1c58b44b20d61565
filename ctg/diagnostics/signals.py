"""Signals of the statistics store, for the layers above it (the plan's indicators fill from open data)."""

from django.dispatch import Signal

# Sent after new vintages are in the store, with `records`: the DatasetImport rows just created.
dataset_imported = Signal()
