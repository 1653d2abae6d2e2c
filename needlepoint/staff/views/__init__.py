"""Staff pages, one module per subject. Each view checks access, calls one service or
selector and renders."""
