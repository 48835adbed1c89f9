"""What other apps may listen to (the notifications app sends the e-mail).

``question_answered`` is sent by :func:`egov.feedback.services.answer_question`
*inside* the transaction that records the first answer to a question, so a
listener writing to an outbox commits or rolls back with it. Listeners must be
quick and must not call the network.

Arguments: ``question`` (the saved :class:`~egov.feedback.models.Question`; its
``asker_email`` / ``asker_phone`` say where the asker wants the answer, and
``is_published`` whether the answer is public), ``actor`` (the staff member who
answered).
"""

from django.dispatch import Signal

question_answered = Signal()
