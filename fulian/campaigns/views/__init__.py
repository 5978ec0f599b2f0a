"""The campaign pages, one module per part of a round; each module lists its own routes."""
