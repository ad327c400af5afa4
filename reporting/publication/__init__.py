"""The public side of a published cycle: what may be published (``policy``), the portal pages
(``views``) and the plain functions they share (``services``)."""
