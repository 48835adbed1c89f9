"""What other apps may listen to without reaching into the one-stop's internals.

``dossier_changed`` is sent by :mod:`egov.dossiers.services` *inside* the
transaction of every state change (creation included), after the event row is
written. Listeners that write (the notification outbox, the payment ledger) so
commit or roll back together with the change: nothing is announced that did not
happen. Listeners must be quick and must not call the network; anything slow
goes to a background queue.

Arguments: ``dossier`` (the saved Dossier), ``event`` (the DossierEvent just
written), ``action`` (its action string, e.g. ``"receive"``, ``"submit_online"``,
``"request_supplement"``, ``"request_payment"``, ``"apology"``,
``"result_ready"``, ``"return_result"``), ``actor`` (User or None), and
``in_batch`` (True when a batch creates the dossier, see below).

``dossiers_changed_in_batch`` is sent once per chunk by the batch receipt
(:func:`egov.dossiers.services.receive_batch`), inside the chunk's transaction,
after ``dossier_changed`` was sent for each of its dossiers with ``in_batch=True``.
Arguments: ``items`` (a list of ``(dossier, event)``), ``action``, ``actor``. A
listener that can write for many dossiers at once listens to it and returns early
on ``in_batch``; any other listener keeps working per dossier, unchanged.
"""

from django.dispatch import Signal

dossier_changed = Signal()
dossiers_changed_in_batch = Signal()
