"""Demo data: believable, fictional organisations and adverts for trying the platform and
for benchmarking search (``apprenticeships demo seed``)."""
