"""Trust pages, one module per resource."""
