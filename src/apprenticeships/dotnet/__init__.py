"""How the real APIs' .NET stack reads what callers send, where clients written for them
rely on it: System.Text.Json with ASP.NET's web options (``textjson``) and ASP.NET's
model binding of route values, with its model-state messages and order
(``modelbinding``).

Nothing here knows an API; each API declares its own request shapes and decides what to
do with what does not bind.
"""
