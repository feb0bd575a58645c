"""Documents made from a participant's work: the exam draft (.docx) and its reference formatting."""
