"""Static information pages of the platform (the accessibility statement)."""
