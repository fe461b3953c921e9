"""Organisation settings for the certifier admin, and the certifier's dashboard figures."""
