"""Stage 5, derive: aggregates and chart data computed from the model. Pure."""
