"""Poolgate's benchmark: load any Cognito-compatible endpoint over HTTP (see README.md)."""
