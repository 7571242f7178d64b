"""The domain and its rules: plain data and pure functions, no I/O, no Textual."""
