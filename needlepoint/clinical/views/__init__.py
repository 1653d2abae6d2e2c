"""Chart pages, one module per part of the chart."""
