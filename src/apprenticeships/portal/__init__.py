"""The developer portal at ``/portal``: where people get, rotate and delete API keys.

Server-rendered pages in the GOV.UK Design System (Jinja2 and GOV.UK Frontend), no
JavaScript needed. The portal calls the same services as the CLI and never reads the
database itself.
"""
