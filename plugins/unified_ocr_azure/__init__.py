"""Azure AI Document Intelligence for unified-ocr: the ``azure`` engine and its emulator (being built)."""
