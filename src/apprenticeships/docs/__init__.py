"""The documentation site at ``/docs``: the APIs and their versions, the getting-started
guide, each version's reference, and the OpenAPI documents they are rendered from."""
