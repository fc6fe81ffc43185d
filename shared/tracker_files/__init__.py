"""Reading other trackers' files into rows the importers write. Pure: no I/O."""
