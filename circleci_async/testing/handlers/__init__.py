"""The fake's API handlers, one module per spec tag; `..routes.ROUTES` maps operations to them.

Each handler takes an `ApiContext` and returns a `Reply`; it raises `ApiError` for a 4xx.
"""
