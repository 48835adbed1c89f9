"""The one-stop paper forms 01–07: what they say (``context``), their PDF layout
(``pdf``), the register of form 07 (``register``) and its Excel copy (``excel``)."""
