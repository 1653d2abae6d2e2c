"""Forms of the staff pages. They parse input; the rules live in the domain services."""
