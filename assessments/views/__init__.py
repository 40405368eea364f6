"""The self-assessment's pages, one module per part: `assessment` (start, overview, key factors, context
factors, workflow), `autosave`, `partners` (partner ratings and comments), `history` (change history,
visibility, deletion and restore)."""
