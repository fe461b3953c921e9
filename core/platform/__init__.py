"""The platform's administration: organisations and the certifications granted to them."""
