"""The jobs run in the background (issue 15): what was asked, by whom, its progress and its result."""
