"""Safe retries: a request sent twice does what it asks once.

- API writes (POST/PUT/PATCH/DELETE under /api/v1/) that carry an ``Idempotency-Key`` header:
  ``IdempotencyKey`` rows, claimed and completed by ``services.api_claim`` / ``api_complete``
  from the one API base class (``cocreate.api.idempotency``).
- Page forms: a one-time token in every form that opts in (``form_tokens``), recorded with what
  the form created by ``services.submit_once``; the same token again leads to that object.

Both expire after ``IDEMPOTENCY_TTL`` seconds (24 hours); ``tasks.purge_expired`` deletes them.
"""
