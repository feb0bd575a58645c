"""Documents made from a participant's work: the exam draft (.docx); its references are formatted by
ledpro_journal.references."""
