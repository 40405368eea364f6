"""Pages that gather several apps' panels, a module per page (docs/architecture.md)."""
