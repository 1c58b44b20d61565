"""The questionnaires of the diagnostic partagé: builder, distribution links, public answering, RGPD,
results (issue 13)."""
