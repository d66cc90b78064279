"""AWS Textract for unified-ocr: the ``textract`` engine and its emulator (being built)."""
