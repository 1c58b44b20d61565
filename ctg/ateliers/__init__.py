"""The ateliers (workshops) of the diagnostic partagé: themes, invitations, attendance, contributions,
report, dot voting on findings (issue 13)."""
