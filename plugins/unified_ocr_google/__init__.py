"""Google Cloud Vision for unified-ocr: the ``google`` engine and its emulator (being built)."""
