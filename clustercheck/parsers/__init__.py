"""Pure parsers: bytes or text in, a typed model out, every value with its file and line.

They never raise on bad input: what cannot be read becomes a Problem on the model. Each Problem
carries a Kind (parsers/text.py), what it means for the user, so that checks weigh it without
reading its message.
"""
