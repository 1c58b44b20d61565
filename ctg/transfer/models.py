"""The whole-dossier archive owns no table: it reads and writes the apps' tables through their services."""
