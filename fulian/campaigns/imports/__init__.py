"""The spreadsheet import of a campaign's nominations (妇联推荐 in bulk): one household of the
registry per row, found by its head's name in its village (with the head's ID number or phone
to tell namesakes apart), nominated through ``nominations.nomination_create``.

The engine's uploads are for an organisation; the campaign travels as the upload's parameter
(``params={"campaign": id}``, given by the campaign's upload page and kept in the batch's
report). Registered when the campaigns app is ready."""

KIND = "campaign_nominations"
