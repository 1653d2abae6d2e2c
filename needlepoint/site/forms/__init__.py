"""Forms of the public pages. They parse input; the rules live in the domain services."""
