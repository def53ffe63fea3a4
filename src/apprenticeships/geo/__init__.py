"""UK postcodes: recognising them (``postcodes``), loading official centroid files
(``importer``, the ``geo import`` command) and placing them on the map (``service``)."""
