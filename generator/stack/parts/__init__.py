"""One module per AWS concern; each build() adds its resources and returns what it created."""
