"""The personal API tokens (issue 15)."""
