"""Upstage Document OCR and Document Parse for unified-ocr: the ``upstage`` engine and its emulator (being built)."""
