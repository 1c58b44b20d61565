"""Évaluation, phase 6 of a CTG: a bilan every year (`BilanAnnuel`: the plan's figures of the year computed by
`bilan.compute`, the highlights typed by the coordination, the validation; page, PDF and DOCX), and later the
final evaluation that prepares the renewal. It reads the plan d'action (`ctg.plans`) and writes through
`ctg.core.history`."""
