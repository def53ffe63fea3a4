"""Email: a transactional outbox and its delivery.

A use case that sends email writes it to the outbox (``Outbox(session).enqueue``) in its
own transaction, so an email is sent if and only if what it tells of was committed.
Delivery happens afterwards, never in a request: ``MailWorker`` in the server's
lifespan, and ``deliver_pending`` after a CLI command that enqueued mail. Each email is
claimed by one process at a time, sent through a ``Sender`` (SMTP, or ``.eml`` files when
no SMTP server is set), and retried with back-off when sending fails.
"""
