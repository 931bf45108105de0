"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): observations as anonymised open data, and
reports from partner organisations' systems."""
