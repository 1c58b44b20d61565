"""Export and import of a whole plan d'action, as JSON or as an Excel workbook a territory can fill by hand.

Numbering: the scheme of the application (`ctg.plans.numbering`), nothing stored, numbers follow the
positions and are how the rows of the workbook refer to each other:

- enjeu « 1 », objectif stratégique « 1.2 » (2nd of enjeu 1), objectif opérationnel « 1.2.1 »;
- fiche « 1.2.3 »: 3rd fiche of strategic objective « 1.2 ». A fiche serving several operational objectives
  is numbered once, under the strategic objective of the first of them in plan order; the fiches of a
  strategic objective follow the order of their first operational objective, then their own position. A
  fiche attached to no objective (no number in the application) is numbered « 0.0.N »;
- indicator « 1 », « 2 »… within its fiche.

On import the numbers must be consistent (objective « 1.2 » belongs to enjeu « 1 », « 1.2.1 » to « 1.2 »,
a fiche number starts with the strategic objective of one of its objectives) and the order within a parent
follows the last part of the number; the numbers written in the file need not be contiguous: the imported
plan is numbered afresh. A fiche « 0.0.N » (attached to no objective) is exported, never imported.

The workbook (`export_xlsx`) has one sheet per table: « Enjeux », « Objectifs », « Fiches », « Étapes »,
« Budget », « Indicateurs », « Valeurs ». Choice values are written as their French labels, and read back
as labels or codes, case- and accent-insensitively. Lists (champs, objectifs, communes, partenaires) are
separated by « ; ». Communes: INSEE codes, or « toutes ». Organisations (pilote, partenaires) are matched
by exact name among the existing organisations (the oldest one when several share the name), else created
with the kind « Autre partenaire ».

The import (`import_xlsx`, `import_plan`, `import_file` for an uploaded file) only fills an empty plan: the
whole file is checked first, and refused as a whole with every problem found (sheet, row, column), nothing
being written. A fiche is checked by the same rules as the fiche form (`ctg.plans.rules`: at least one
operational objective, « toutes » or at least one commune, dates and the years of its steps, budget and typed
values within the CTG's period). It is then written through `services.plan_import` (`plan_import_create`),
in bulk (one insert per table, in batches), so that its number of queries does not grow with the fiches.
Comments, attachments and bilans annuels are not exchanged.

The app `ctg.exchange` (label `exchange`, no models) sits above `ctg.plans`: it reads the plan and writes it
through the plan's services, and plans never imports it. Modules: `layout` (sheets, columns, words), `export`
(built on `ctg.plans.numbering`), `parse` (workbook or JSON → rows), `check` (rows → clean values and
problems), `write` (clean values → the services' input), `imports` (the three steps in one transaction);
`views` and `urls` (the download and upload pages, named in the plan's namespace: `plans:export_xlsx`,
`plans:export_json`, `plans:import_xlsx`), and the commands `ctg plan_export` and `ctg plan_import`.
Being the app's package, this module imports nothing (Django imports it before the models are ready): the
entry points are named by their module, `export.export_plan` / `export_xlsx`, `imports.import_file` /
`import_xlsx` / `import_plan` (and `IMPORT_SUFFIXES`), `layout.PlanImportError` / `counted` / `NOTICE` /
`SHEETS`, `parse.read_workbook`.

Safety (`ctg.datafiles`): the workbook writes every text as a string cell, never a formula, so that a title
« =1+1 » or « -5 familles » exports and imports back unchanged (no « ' » added in xlsx, and a leading « ' »
of a cell is kept as part of its text). A formula or error cell of an uploaded workbook is refused (formulas
are not evaluated: « Collage spécial › Valeurs » in Excel). Uploaded files are bounded before they are parsed
(size, zip entries and ratio, rows, cell length; JSON depth and string length). The JSON carries « version »
(refused if not one of `SUPPORTED_VERSIONS`; a hand-written file without it is read as the current version);
the workbook carries the same in its properties (identifier « ctg-plan », version), checked when present.
"""
