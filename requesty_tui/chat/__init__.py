"""Chat behaviour without Textual: requests, a turn's bookkeeping, saving, the model catalogue
and spend. The UI turns what happens here into widgets."""
