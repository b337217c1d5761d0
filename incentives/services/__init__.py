"""Every write of the incentives app, one module per resource."""
