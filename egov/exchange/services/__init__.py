"""The write paths of the exchange: the outbox (:mod:`.outbox`), receipt from the
axis and the quarantine (:mod:`.inbox`), statuses reported back (:mod:`.statuses`)
and the agency list (:mod:`.agencies`)."""
