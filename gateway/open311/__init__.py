"""Open311 GeoReport v2 at ``/open311/v2/``: mobile apps report labour violations as cases."""
