"""SLA alerting: rules over the clock's verdicts, the outbox and delivery (the scheduler process).

Imports queries/ (never dashboard/); the scheduler runs as its own process, never in gunicorn.
"""
