"""Open data of the programme (issue 19): the public registry of sites, its status history and aggregated,
non-personal progress by wave and region, as CSV and JSON files with their Table Schemas, regenerated every
night and published on a public page under the Licence Ouverte 2.0."""
