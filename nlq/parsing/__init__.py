"""The built-in semantic parser's parts; `nlq.parser` is the entry point."""
