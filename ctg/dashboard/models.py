"""The CAF's dashboard owns no table: it reads the dossiers, their plans, posts and the statistics store."""
