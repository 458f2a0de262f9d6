"""The bundled demo portals: static pages of two fictional district portals and their server."""
