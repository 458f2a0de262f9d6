"""Site knowledge as data: the registry of portals, CMS families, URL rules."""
