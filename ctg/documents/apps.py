from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ctg.documents"
    verbose_name = "Convention (document)"

    def ready(self):
        # The services declare the labels of their history changes (ctg.core.history.register_labels).
        import ctg.documents.services  # noqa: F401

        # The post page lists the generated yearly funding conventions of the coordinator post (issue 14).
        from ctg.documents.post_convention import documents_of
        from ctg.post.selectors import register_convention_documents

        register_convention_documents(documents_of)
