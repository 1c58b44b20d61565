"""The whole-dossier archive downloaded from the dossier's page (issue 15).

A GET builds the ZIP on the fly (the same archive as `ctg export_dossier`); a background job will take it over
for the largest dossiers. It holds the members' emails and every document of the dossier, so it needs the
operation of the people who manage the dossier's parties: `Op.MANAGE_MEMBERS` (the CAF pilot and the
coordination)."""

from ctg.conventions.frame import ctg_view
from ctg.organisations.permissions import Op
from ctg.rendering import attachment, ctg_file_name
from ctg.transfer.export import export_dossier


@ctg_view(Op.MANAGE_MEMBERS)
def archive(request, ctg, role):
    return attachment(export_dossier(ctg), "application/zip", f"{ctg_file_name(ctg, 'archive')}.zip")
