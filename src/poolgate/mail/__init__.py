"""Transports that carry messages out of Poolgate (SMTP), and the choice of sender a
deployment's settings make."""
