"""edXML (QCVN 102:2016/BTTTT): values (:mod:`.model`), strict writing
(:mod:`.build`), liberal reading (:mod:`.parse`) and XML-DSig (:mod:`.dsig`)."""
